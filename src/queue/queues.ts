import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { env } from '../config/env.ts';
import { jobCatalog, QUEUE_NAMES, type JobInput, type JobName, type QueueName } from './catalog.ts';

export interface Queues {
  prefix: string;
  connection: Redis;
  get(name: QueueName): Queue;
  /** Validates the payload against the catalog and adds the job to its queue. */
  add<K extends JobName>(name: K, data: JobInput<K>, options?: JobsOptions): ReturnType<Queue['add']>;
  events(name: QueueName): QueueEvents;
  close(): Promise<void>;
}

/**
 * Transient faults retry with exponential backoff; business outcomes never throw, so they are never
 * retried. Failed jobs are kept for operators; completed ones long enough that a deterministic job
 * id still blocks a duplicate.
 */
export function defaultJobOptions(): JobsOptions {
  return {
    attempts: env().JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: env().JOB_BACKOFF_MS },
    removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

export function createQueues(connection: Redis, prefix: string = env().QUEUE_PREFIX): Queues {
  const queues = new Map<QueueName, Queue>();
  const events = new Map<QueueName, QueueEvents>();
  const get = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix, defaultJobOptions: defaultJobOptions() });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    prefix,
    connection,
    get,
    add(name, data, options) {
      const spec = jobCatalog[name];
      return get(spec.queue).add(name, spec.payload.parse(data), options);
    },
    events(name) {
      let e = events.get(name);
      if (!e) {
        // QueueEvents blocks on its connection, so it gets one of its own.
        e = new QueueEvents(name, { connection: connection.duplicate(), prefix });
        e.on('error', () => undefined);
        events.set(name, e);
      }
      return e;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      await Promise.all([...events.values()].map(async (e) => {
        const c = await e.client;
        await e.close();
        c.disconnect();
      }));
    },
  };
}

export { QUEUE_NAMES };
