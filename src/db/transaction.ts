import type { Pool, PoolConnection } from 'mysql2/promise';
import { logger } from '../logger.ts';
import { isDbConnectionFault, isTransientDbError } from './transient.ts';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  /** A fault of this unit that is worth a fresh try too (e.g. another process wrote the same keys first). */
  retryAlso?: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one transaction; commits if it returns, rolls back if it throws. A transient fault
 * (deadlock, lost connection) rolls back and runs the whole unit again with backoff, so `work` must
 * read everything it decides on inside the transaction.
 */
export async function inTransaction<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    let conn: PoolConnection | undefined;
    try {
      conn = await pool.getConnection();
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      conn.release();
      return result;
    } catch (error) {
      if (conn && isDbConnectionFault(error)) {
        // A node that left the cluster or a half-dead socket: never hand this connection out again.
        conn.destroy();
      } else if (conn) {
        try {
          await conn.rollback();
          conn.release();
        } catch {
          // The connection is broken (that may be the fault itself): drop it from the pool.
          conn.destroy();
        }
      }
      const transient = isTransientDbError(error);
      if (!(transient || options.retryAlso?.(error)) || attempt >= attempts) throw error;
      const delay = baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      const detail = { attempt, delayMs: Math.round(delay), err: (error as Error).message };
      if (transient) logger.warn(detail, 'transient database fault, retrying transaction');
      else logger.info(detail, 'another transaction got there first, running the transaction again');
      await sleep(delay);
    }
  }
}
