import type { Command } from 'commander';
import { handlers } from '../../jobs/index.ts';
import { createApp } from '../app.ts';
import { env } from '../config/env.ts';
import { logger } from '../logger.ts';
import { startWorkers } from '../queue/workers.ts';

/** Stops on SIGTERM/SIGINT: no new jobs, the running ones finish, connections close, exit 0. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing running jobs');
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

export function registerProcessCommands(program: Command): void {
  program.command('worker')
    .description('run the BullMQ workers (campaign runs, payments) until stopped')
    .action(async () => {
      const app = createApp();
      const workers = startWorkers(app, handlers);
      logger.info({ queues: workers.workers.map((w) => w.name), concurrency: env().WORKER_CONCURRENCY, prefix: app.queues.prefix }, 'worker started');
      onShutdown(async () => {
        await workers.close();
        await app.close();
      });
      await new Promise(() => undefined);
    });
}
