import { afterAll } from 'vitest';
import { createDb, type Db } from '../../src/db/client.ts';
import { recreateDatabase } from '../../src/db/migrate.ts';

const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';
// Lets two checkouts run their suites side by side on one server.
const prefix = process.env.TEST_DATABASE_PREFIX ?? 'pw_test';

/**
 * A fresh, migrated database of this test file's own (dropped and recreated), closed after the
 * file. `name` must be unique per test file.
 */
export async function useTestDb(name: string): Promise<Db & { url: string }> {
  const url = `${serverUrl}/${prefix}_${name}`;
  await recreateDatabase(url);
  const db = createDb(url);
  afterAll(() => db.close());
  return Object.assign(db, { url });
}
