import { Command, Option } from 'commander';
import { createAdminApp, listen } from '../admin/server.ts';
import type { Bootstrap } from '../admin/auth.ts';
import { createApp } from '../app.ts';
import { env } from '../config/env.ts';
import { createDb, type Db } from '../db/client.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../db/schema/operators.ts';
import { MIN_TOKEN_LENGTH, tokenWeakness } from '../domain/token-strength.ts';
import { logger } from '../logger.ts';
import {
  addOperatorToken, countActiveOperatorTokens, listOperatorTokens, OPERATOR_NAME, OperatorNameTakenError, revokeOperatorToken,
} from '../operations/operator-tokens.ts';
import { parseId } from './app.ts';
import { printJson, printLine, printTable, UserError } from './output.ts';
import { runUntilSignal } from './processes.ts';

/** ADMIN_TOKEN trimmed (a trailing newline from a secrets file is not part of it), refused when weak. */
function bootstrapToken(): Bootstrap | null {
  const raw = env().ADMIN_TOKEN;
  if (raw === undefined || raw === '') return null;
  const token = raw.trim();
  const weakness = tokenWeakness(token);
  if (weakness) throw new UserError(`ADMIN_TOKEN ${weakness}: use a random secret of at least ${MIN_TOKEN_LENGTH} characters without spaces (openssl rand -hex 24)`);
  return { token, name: env().ADMIN_TOKEN_NAME.trim() };
}

async function withDb<T>(body: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb();
  try {
    return await body(db);
  } finally {
    await db.close();
  }
}

function registerTokenCommands(admin: Command): void {
  const token = admin.command('token').description('operator tokens: one per person, each a viewer (reads) or an operator (reads and acts)');
  token.command('add')
    .description('make a token for NAME and print it once; only its hash is stored')
    .argument('<name>', 'who the audit trail names for this token ([A-Za-z0-9._@-], up to 64)')
    .addOption(new Option('--role <role>', 'viewer: reads only; operator: reads and retries').choices(OPERATOR_ROLES).makeOptionMandatory())
    .option('--json', 'machine-readable output')
    .action((name: string, options: { role: OperatorRole; json?: boolean }) => withDb(async (db) => {
      if (!OPERATOR_NAME.test(name)) throw new UserError(`operator name '${name}' must be 1-64 of [A-Za-z0-9._@-], starting with a letter or digit`);
      if (name === env().ADMIN_TOKEN_NAME) throw new UserError(`'${name}' is the name of ADMIN_TOKEN (ADMIN_TOKEN_NAME); choose another`);
      try {
        const created = await addOperatorToken(db.pool, name, options.role);
        if (options.json) {
          printJson({ id: created.id, name, role: options.role, token: created.token });
          return;
        }
        process.stderr.write(`token for ${name} (${options.role}); it is shown this once and cannot be read back:\n`);
        printLine(created.token);
      } catch (error) {
        if (error instanceof OperatorNameTakenError) throw new UserError(error.message);
        throw error;
      }
    }));
  token.command('list')
    .description('every token ever made, with its role and whether it was revoked (never the token itself)')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => withDb(async (db) => {
      // Database times are Shanghai wall clock; say so.
      const rows = (await listOperatorTokens(db.pool)).map((r) => ({
        ...r, created_at: `${r.created_at}+08:00`, revoked_at: r.revoked_at ? `${r.revoked_at}+08:00` : null,
      }));
      if (options.json) {
        printJson(rows);
        return;
      }
      printTable(['id', 'name', 'role', 'created_at', 'revoked_at'], rows.map((r) => [r.id, r.name, r.role, r.created_at, r.revoked_at ?? '']));
    }));
  token.command('revoke')
    .description("revoke NAME's token: it stops working at once and its console sessions end")
    .argument('<name>')
    .action((name: string) => withDb(async (db) => {
      if (!(await revokeOperatorToken(db.pool, name))) throw new UserError(`no active token named '${name}' (admin token list shows them)`);
      printLine(`revoked the token of ${name}; its console sessions are ended`);
    }));
}

export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin')
    .description('serve the operator console (/), the BullMQ dashboard (/queues), the JSON API (/api), /metrics and /healthz; sign in with an operator token or ADMIN_TOKEN')
    .option('--port <n>', 'TCP port', '3100')
    .option('--host <address>', 'address to bind; keep it on loopback and reach it through a tunnel', '127.0.0.1')
    .action(async (options: { port: string; host: string }) => {
      const bootstrap = bootstrapToken();
      const port = options.port === '0' ? 0 : parseId(options.port, '--port');
      const app = createApp();
      if (!bootstrap && (await countActiveOperatorTokens(app.db.pool)) === 0) {
        await app.close();
        throw new UserError(`ADMIN_TOKEN must be set to a secret of at least ${MIN_TOKEN_LENGTH} characters, or an operator token made with 'premium-worker admin token add NAME --role operator'; the admin server does not start without one`);
      }
      const { server, port: bound } = await listen(createAdminApp(app, { bootstrap, sessionHours: env().ADMIN_SESSION_HOURS }), options.host, port);
      logger.info({ url: `http://${options.host}:${bound}/`, bootstrap: bootstrap?.name ?? null }, 'admin server listening');
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
  registerTokenCommands(admin);
}
