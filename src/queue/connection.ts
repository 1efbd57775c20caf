import { Redis, type RedisOptions } from 'ioredis';
import { env } from '../config/env.ts';

export interface RedisSettings {
  /** The Redis to use; with Sentinels, only its credentials and database number count. */
  url: string;
  /** Comma-separated host:port of Redis Sentinels; when set, the primary is asked of them. */
  sentinels?: string;
  masterName?: string;
}

export function redisSettings(): RedisSettings {
  const e = env();
  return { url: e.REDIS_URL, sentinels: e.REDIS_SENTINELS, masterName: e.REDIS_MASTER_NAME };
}

function parseSentinels(list: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(entry);
    if (!match) throw new Error(`invalid environment variable REDIS_SENTINELS: '${entry}' is not host:port`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

/**
 * One connection factory for the CLI, workers, scheduler and admin. BullMQ requires
 * maxRetriesPerRequest: null on worker connections: a Redis blip or a failover must make commands
 * wait for the reconnect, not fail the job that happens to be running. A primary demoted to replica
 * answers writes with READONLY: reconnect (through the Sentinels, to the new primary) and resend.
 */
export function createRedis(settings: RedisSettings = redisSettings()): Redis {
  const common: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Reconnect attempts back off to 2 s: a primary that is down until the Sentinels promote another
    // must not be hammered in a tight loop by every connection of every process.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
  let redis: Redis;
  if (settings.sentinels) {
    const url = new URL(settings.url);
    redis = new Redis({
      ...common,
      sentinels: parseSentinels(settings.sentinels),
      name: settings.masterName ?? 'mymaster',
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: Number(url.pathname.replace(/^\//, '') || 0),
      sentinelRetryStrategy: (times) => Math.min(times * 100, 2000),
    });
  } else {
    redis = new Redis(settings.url, common);
  }
  // Without a listener ioredis prints every reconnect attempt as an unhandled error.
  redis.on('error', () => undefined);
  return redis;
}
