import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import mysql, { type Pool, type PoolConnection, type PoolOptions } from 'mysql2/promise';
import { env } from '../config/env.ts';
import * as schema from './schema/index.ts';

export type Orm = MySql2Database<typeof schema>;

/** The pool, or a transaction's connection: what a query that may run inside or outside a transaction is given. */
export type Queryable = Pool | PoolConnection;

export interface Db {
  pool: Pool;
  orm: Orm;
  /** Database name from the URL, for messages. */
  name: string;
  close(): Promise<void>;
}

/** mysql2 options shared by the pool and the one-off admin connection of `db migrate`. */
export function connectionOptions(url: string): PoolOptions {
  return {
    uri: url,
    // Business times are Shanghai wall-clock text; returning strings avoids any Date/TZ conversion.
    dateStrings: true,
    timezone: '+08:00',
    // BIGINT fen and SUM() totals come back as JS numbers (exact below 2^53).
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    charset: 'utf8mb4',
  };
}

export function databaseName(url: string): string {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL must name a database ([A-Za-z0-9_]): got '${name}'`);
  return name;
}

export function createDb(url: string = env().DATABASE_URL, connectionLimit = 10): Db {
  const pool = mysql.createPool({ ...connectionOptions(url), connectionLimit, maxIdle: connectionLimit });
  // TIMESTAMP columns (created_at) read back in business time too.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+08:00'");
  });
  return {
    pool,
    orm: drizzle(pool, { schema, mode: 'default' }),
    name: databaseName(url),
    close: () => pool.end(),
  };
}
