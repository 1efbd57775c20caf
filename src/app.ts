import type { Redis } from 'ioredis';
import { env } from './config/env.ts';
import { createDb, type Db } from './db/client.ts';
import { createRedis, redisSettings, type RedisSettings } from './queue/connection.ts';
import { createQueues, type Queues } from './queue/queues.ts';

/** The outside world a command or worker talks to: one database pool, one Redis, the queues. */
export interface App {
  db: Db;
  redis: Redis;
  queues: Queues;
  close(): Promise<void>;
}

export interface AppOptions {
  databaseUrl?: string;
  redisUrl?: string;
  /** Sentinel settings, instead of redisUrl. */
  redis?: RedisSettings;
  queuePrefix?: string;
}

export function createApp(options: AppOptions = {}): App {
  const db = createDb(options.databaseUrl ?? env().DATABASE_URL);
  const redis = createRedis(options.redis ?? (options.redisUrl ? { url: options.redisUrl } : redisSettings()));
  const queues = createQueues(redis, options.queuePrefix ?? env().QUEUE_PREFIX);
  return {
    db,
    redis,
    queues,
    async close() {
      await queues.close();
      await db.close();
      redis.disconnect();
    },
  };
}
