import { DelayedError, UnrecoverableError, WaitingChildrenError, Worker, type Job } from 'bullmq';
import type { App } from '../src/app.ts';
import { env } from '../src/config/env.ts';
import { isTransientDbError } from '../src/db/transient.ts';
import { logger } from '../src/logger.ts';
import { jobCatalog, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from '../src/queue/catalog.ts';
import { isInfrastructureFault, OutageGuard } from './outage.ts';

export interface JobContext {
  app: App;
  job: Job;
  /** The worker's lock token, needed by step jobs that wait for their children. */
  token: string | undefined;
}

export type JobHandler<K extends JobName> = (payload: JobPayload<K>, context: JobContext) => Promise<unknown>;

/** A handler for every job of the catalog: forgetting one is a compile error. */
export type JobHandlers = { [K in JobName]: JobHandler<K> };

export interface WorkerOptions {
  queues?: readonly QueueName[];
  concurrency?: number;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, lets the running ones finish, closes connections. */
  close(): Promise<void>;
}

/**
 * The job goes back to the queue without spending an attempt, and this process stops taking jobs
 * until the database and Redis answer. If even that cannot be recorded, the fault spends an attempt.
 */
async function putBack(job: Job, token: string | undefined, error: unknown, outage: OutageGuard): Promise<never> {
  outage.report(error);
  try {
    await job.moveToDelayed(Date.now() + outage.retryDelayMs(), token);
  } catch {
    throw error;
  }
  logger.warn({ jobId: job.id, job: job.name, err: (error as Error).message }, 'infrastructure fault: job put back without spending an attempt');
  throw new DelayedError();
}

async function runHandler(handlers: JobHandlers, app: App, outage: OutageGuard, job: Job, token: string | undefined): Promise<unknown> {
  const name = job.name as JobName;
  const spec = jobCatalog[name];
  if (!spec) throw new UnrecoverableError(`unknown job name '${job.name}'`);
  const parsed = spec.payload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}: ${parsed.error.issues[0]?.message}`);
  const handler = handlers[name] as JobHandler<JobName>;
  try {
    return await handler(parsed.data, { app, job, token });
  } catch (error) {
    if (error instanceof WaitingChildrenError || error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
    if (isInfrastructureFault(error)) return putBack(job, token, error, outage);
    if (isTransientDbError(error)) {
      logger.warn({ jobId: job.id, job: name, attempt: job.attemptsMade + 1, err: (error as Error).message }, 'transient fault, job will be retried');
      throw error;
    }
    logger.error({ jobId: job.id, job: name, err: (error as Error).message }, 'job failed permanently');
    // Anything else is a fault that trying again will not fix: keep it in the failed list for operators.
    throw new UnrecoverableError((error as Error).message);
  }
}

export function startWorkers(app: App, handlers: JobHandlers, options: WorkerOptions = {}): RunningWorkers {
  const settings = env();
  const outage = new OutageGuard(app, { probeMs: settings.OUTAGE_PROBE_MS, probeMaxMs: settings.OUTAGE_PROBE_MAX_MS });
  const workers = (options.queues ?? QUEUE_NAMES).map((queueName) => {
    const connection = app.redis.duplicate();
    const worker = new Worker(queueName, (job, token) => runHandler(handlers, app, outage, job, token), {
      connection,
      prefix: app.queues.prefix,
      concurrency: options.concurrency ?? settings.WORKER_CONCURRENCY,
      lockDuration: settings.LOCK_DURATION_MS,
      stalledInterval: settings.STALLED_INTERVAL_MS,
      // A job whose worker died mid-transaction is simply run again: the transaction was rolled back.
      maxStalledCount: 5,
    });
    worker.on('error', (err) => logger.error({ queue: queueName, err: err.message }, 'worker error'));
    worker.on('failed', (job, err) => {
      if (job && !(err instanceof WaitingChildrenError)) logger.debug({ queue: queueName, jobId: job.id, err: err.message }, 'job attempt failed');
    });
    outage.watch(worker);
    return { worker, connection };
  });
  return {
    workers: workers.map((w) => w.worker),
    async close() {
      outage.stop();
      await Promise.all(workers.map(async ({ worker, connection }) => {
        await worker.close();
        // BullMQ leaves connections it was given open.
        connection.disconnect();
      }));
    },
  };
}
