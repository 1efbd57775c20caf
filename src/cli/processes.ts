import type { Command } from 'commander';
import { UnrecoverableError } from 'bullmq';
import { handlers } from '../../jobs/index.ts';
import { createApp, type App } from '../app.ts';
import { env } from '../config/env.ts';
import { logger } from '../logger.ts';
import { serveHealth } from '../operations/health.ts';
import { startSweeper } from '../operations/recovery.service.ts';
import { startScheduler } from '../operations/scheduler.ts';
import { startWorkers, type RunningWorkers } from '../../jobs/workers.ts';
import { parseId } from './app.ts';

export interface Part {
  name: string;
  stop(): Promise<void>;
}

/**
 * Runs until SIGTERM/SIGINT, then stops the parts in order (scheduler first, so nothing new is
 * enqueued; workers last, letting running jobs finish), closes connections and exits 0. A job still
 * running after SHUTDOWN_TIMEOUT_MS is abandoned: its transaction rolls back with the connection,
 * and another worker takes the job over once its lock expires. That forced exit, or a second
 * signal, exits 1 so a supervisor can tell. Parts added to `parts` later are stopped too.
 */
export async function runUntilSignal(app: App, parts: Part[]): Promise<never> {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for running jobs');
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = env().SHUTDOWN_TIMEOUT_MS;
    logger.info({ signal, timeoutMs }, 'shutting down: nothing new is started, running work may finish');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting with jobs still running; they are taken over once their locks expire');
      process.exit(1);
    }, timeoutMs);
    (async () => {
      for (const part of parts) {
        await part.stop();
        logger.info({ part: part.name }, 'stopped');
      }
      await app.close();
    })().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return new Promise<never>(() => undefined);
}

/** BullMQ's production checklist: with any eviction policy Redis may silently drop queued jobs. */
async function warnUnlessNoEviction(app: App): Promise<void> {
  try {
    const [, policy] = (await app.redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: jobs can vanish under memory pressure');
  } catch {
    // Managed Redis often forbids CONFIG; the check is advice, not a requirement.
  }
}

function startJobWorkers(app: App): RunningWorkers {
  const running = startWorkers(app, handlers);
  for (const worker of running.workers) {
    worker.on('completed', (job) => logger.info({ queue: worker.name, jobId: job.id, job: job.name, attempts: job.attemptsMade }, 'job completed'));
    worker.on('failed', (job, error) => {
      // Only the last attempt: earlier ones are transient faults that workers.ts already logs.
      if (job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) {
        logger.warn({ queue: worker.name, jobId: job.id, job: job.name, attempts: job.attemptsMade, reason: error.message }, 'job failed; kept in the failed list');
      }
    });
  }
  logger.info({ queues: running.workers.map((w) => w.name), concurrency: env().WORKER_CONCURRENCY, prefix: app.queues.prefix }, 'workers started');
  return running;
}

interface HealthOptions {
  healthPort?: string;
  healthHost: string;
}

async function runProcesses(options: { workers: boolean; scheduler: boolean }, health: HealthOptions): Promise<never> {
  const app = createApp();
  const parts: Part[] = [];
  // Signal handlers first: a SIGTERM during start-up must still shut down cleanly.
  const running = runUntilSignal(app, parts);
  if (health.healthPort !== undefined) {
    const { server, port } = await serveHealth(app, health.healthHost, health.healthPort === '0' ? 0 : parseId(health.healthPort, '--health-port'));
    logger.info({ url: `http://${health.healthHost}:${port}/healthz` }, 'health endpoint listening');
    parts.push({
      name: 'health endpoint',
      stop: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    });
  }
  await warnUnlessNoEviction(app);
  const scheduler = options.scheduler ? await startScheduler(app) : undefined;
  if (scheduler) parts.push({ name: 'scheduler', stop: () => scheduler.stop() });
  const sweeper = startSweeper(app, { intervalMs: env().SWEEP_INTERVAL_MS, schedules: scheduler?.definitions });
  parts.push({ name: 'sweeper', stop: () => sweeper.stop() });
  if (options.workers) {
    const workers = startJobWorkers(app);
    parts.push({ name: 'workers', stop: () => workers.close() });
  }
  return running;
}

function withHealthOptions(command: Command): Command {
  return command
    .option('--health-port <n>', 'serve GET /healthz on this port (200 when MySQL and Redis answer, 503 naming the one that does not)')
    .option('--health-host <address>', 'address the health endpoint binds', '127.0.0.1');
}

export function registerProcessCommands(program: Command): void {
  withHealthOptions(program.command('worker'))
    .description('run the BullMQ workers (schedules, campaign runs, payments) until SIGTERM/SIGINT')
    .action((health: HealthOptions) => runProcesses({ workers: true, scheduler: false }, health));

  withHealthOptions(program.command('scheduler'))
    .description('run the schedules (nightly reconciliation, daily campaign run) until SIGTERM/SIGINT; it only enqueues')
    .action((health: HealthOptions) => runProcesses({ workers: false, scheduler: true }, health));

  withHealthOptions(program.command('start'))
    .description('run the scheduler and the workers in one process')
    .action((health: HealthOptions) => runProcesses({ workers: true, scheduler: true }, health));
}
