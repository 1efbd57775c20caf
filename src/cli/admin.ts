import type { Command } from 'commander';
import { MIN_TOKEN_LENGTH } from '../admin/auth.ts';
import { createAdminApp, listen } from '../admin/server.ts';
import { createApp } from '../app.ts';
import { env } from '../config/env.ts';
import { logger } from '../logger.ts';
import { parseId } from './app.ts';
import { UserError } from './output.ts';
import { runUntilSignal } from './processes.ts';

export function registerAdminCommand(program: Command): void {
  program.command('admin')
    .description('serve the BullMQ dashboard (/queues) and the admin JSON API (/api); every request needs Authorization: Bearer $ADMIN_TOKEN')
    .option('--port <n>', 'TCP port', '3100')
    .option('--host <address>', 'address to bind; keep it on loopback and reach it through a tunnel', '127.0.0.1')
    .action(async (options: { port: string; host: string }) => {
      const token = env().ADMIN_TOKEN ?? '';
      if (token.length < MIN_TOKEN_LENGTH) {
        throw new UserError(`ADMIN_TOKEN must be set to a secret of at least ${MIN_TOKEN_LENGTH} characters; the admin server does not start without one`);
      }
      const port = options.port === '0' ? 0 : parseId(options.port, '--port');
      const app = createApp();
      const { server, port: bound } = await listen(createAdminApp(app, { token, tokenName: env().ADMIN_TOKEN_NAME }), options.host, port);
      logger.info({ url: `http://${options.host}:${bound}/`, operator: env().ADMIN_TOKEN_NAME }, 'admin server listening');
      // On stdout too, so a caller that asked for port 0 learns which one it got.
      process.stdout.write(`admin server listening on http://${options.host}:${bound}/\n`);
      await runUntilSignal(app, [{
        name: 'admin server',
        stop: () => new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      }]);
    });
}
