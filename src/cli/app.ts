import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import { createApp, type App } from '../app.ts';
import { redisAnswers } from '../queue/first-connection.ts';

export interface Needs {
  /** The command enqueues or reads queues: it stops with one line, before doing anything, when Redis does not answer. */
  redis?: boolean;
}

/** Runs a command body with the database and queues open, and always closes them. */
export async function withApp<T>(body: (app: App) => Promise<T>, needs: Needs = {}): Promise<T> {
  const app = createApp();
  try {
    if (needs.redis) await redisAnswers(app.redis);
    return await body(app);
  } finally {
    await app.close();
  }
}

/** Who asked: recorded with every operator action. */
export function operatorName(option?: string): string {
  return option ?? process.env.PREMIUM_WORKER_OPERATOR ?? os.userInfo().username ?? 'cli';
}

/** For commander's argParser: a whole number >= 0, else a usage error naming the option. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return Number(value);
}

/** Parses a positive integer id argument or option, with a one-line error naming it. */
export function parseId(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${what} must be a positive integer, got '${value}'`);
  return Number(value);
}
