import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { env } from '../config/env.ts';
import { jobCatalog, QUEUE_NAMES, standardRetry, type JobInput, type JobName, type QueueName } from './catalog.ts';

/** The parent a child job is added under, as plain data (a job's id and its queue's qualified name). */
export interface ParentRef {
  id: string;
  queue: string;
}

export interface Queues {
  prefix: string;
  connection: Redis;
  get(name: QueueName): Queue;
  /** Validates the payload against the catalog and adds the job to its queue, with the catalog's retry options. */
  add<K extends JobName>(name: K, data: JobInput<K>, options?: JobsOptions): ReturnType<Queue['add']>;
  /** `add` for many jobs of one kind at once (one round trip). */
  addBulk<K extends JobName>(name: K, jobs: readonly { data: JobInput<K>; options: JobsOptions }[]): Promise<void>;
  events(name: QueueName): QueueEvents;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string = env().QUEUE_PREFIX): Queues {
  const queues = new Map<QueueName, Queue>();
  const events = new Map<QueueName, QueueEvents>();
  const get = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix, defaultJobOptions: standardRetry() });
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
      return get(spec.queue).add(name, spec.payload.parse(data), { ...spec.retry(), ...options });
    },
    async addBulk(name, jobs) {
      const spec = jobCatalog[name];
      const retry = spec.retry();
      if (jobs.length > 0) await get(spec.queue).addBulk(jobs.map((j) => ({ name, data: spec.payload.parse(j.data), opts: { ...retry, ...j.options } })));
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
