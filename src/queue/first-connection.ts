import type { Redis } from 'ioredis';
import { RedisUnreachableError } from './redis-unreachable.error.ts';

/**
 * How long a command waits for Redis to answer at all. ioredis gives up a TCP connect after 10 s
 * (ETIMEDOUT); this also covers a server that accepts the connection and never answers.
 */
const FIRST_ANSWER_MS = 15_000;

/** Where a connection looks for Redis, for messages: host, port and database, never credentials. */
export function describeRedis(redis: Redis): string {
  const o = redis.options;
  if (o.sentinels && o.sentinels.length > 0) {
    return `sentinels ${o.sentinels.map((s) => `${s.host ?? '127.0.0.1'}:${s.port ?? 26379}`).join(',')} (master ${o.name ?? '?'})`;
  }
  if (o.path) return `unix:${o.path}`;
  return `${o.tls ? 'rediss' : 'redis'}://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}${o.db ? `/${o.db}` : ''}`;
}

/**
 * Resolves once Redis answers on this connection, or rejects with RedisUnreachableError at the
 * first failed attempt. Queue commands on a worker connection (maxRetriesPerRequest: null) wait
 * for Redis forever, which is right for a blip while work runs and wrong for a command an
 * operator just typed: commands that need Redis call this before they record or enqueue anything.
 */
export async function redisAnswers(redis: Redis, timeoutMs = FIRST_ANSWER_MS): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'end' || redis.status === 'close') throw new RedisUnreachableError(describeRedis(redis), 'connection closed');
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      // Node 20 reports a refused connection to a name with several addresses as an AggregateError without a message.
      if (error) reject(new RedisUnreachableError(describeRedis(redis), error.message || (error as NodeJS.ErrnoException).code || error.name));
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => settle(error);
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
