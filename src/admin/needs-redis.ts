import type { RequestHandler } from 'express';
import type { App } from '../app.ts';
import { redisAnswers } from '../queue/first-connection.ts';

/**
 * Queue reads and writes wait for Redis forever (worker connection settings): a request that needs
 * Redis answers 503 instead, before anything is recorded.
 */
export function needsRedis(app: App): RequestHandler {
  return (_req, _res, next) => {
    redisAnswers(app.redis).then(() => next(), next);
  };
}
