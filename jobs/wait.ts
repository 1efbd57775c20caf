import type { Job } from 'bullmq';
import type { App } from '../src/app.ts';
import type { QueueName } from '../src/queue/catalog.ts';
import { startWorkers, type JobHandlers } from './workers.ts';

/**
 * `--wait`: runs workers in this process until the job (and, for a parent, all its children) is
 * finished, so one machine needs no separate worker process. Other workers may help meanwhile.
 * Returns the job's result; throws with the job's failure reason.
 */
export async function runUntilFinished<T>(app: App, handlers: JobHandlers, queue: QueueName, jobId: string): Promise<T> {
  const events = app.queues.events(queue);
  await events.waitUntilReady();
  const workers = startWorkers(app, handlers);
  try {
    const job = (await app.queues.get(queue).getJob(jobId)) as Job | undefined;
    if (!job) throw new Error(`job ${jobId} not found in queue ${queue}`);
    return (await job.waitUntilFinished(events)) as T;
  } finally {
    await workers.close();
  }
}
