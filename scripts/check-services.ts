// Verifies that the configured database and Redis accept our connections and that Redis will not
// evict BullMQ's keys (with any policy but noeviction, queued jobs can silently disappear).
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { env } from '../src/config/env.ts';
import { connectionOptions } from '../src/db/client.ts';

const serverUrl = new URL(env().DATABASE_URL);
serverUrl.pathname = '/';
try {
  const conn = await mysql.createConnection(connectionOptions(serverUrl.toString()));
  const [rows] = await conn.query('SELECT VERSION() AS version');
  await conn.end();
  const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
  await redis.quit();
  if (policy !== 'noeviction') {
    console.error(`Redis maxmemory-policy is '${policy}': set it to noeviction (BullMQ loses jobs otherwise)`);
    process.exit(1);
  }
  console.error(`services ready: database ${(rows as { version: string }[])[0]!.version}, Redis (noeviction)`);
} catch (error) {
  console.error(`services not usable: ${(error as Error).message}`);
  process.exit(1);
}
