import { Redis } from 'ioredis';
import { env } from '../config/env.ts';

/**
 * BullMQ requires maxRetriesPerRequest: null on worker connections: a Redis blip must make commands
 * wait for the reconnect, not fail the job that happens to be running.
 */
export function createRedis(url: string = env().REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  // Without a listener ioredis prints every reconnect attempt as an unhandled error.
  redis.on('error', () => undefined);
  return redis;
}
