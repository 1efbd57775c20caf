import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { connectionOptions, createDb, databaseName, type Db } from './client.ts';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** drizzle's record of applied migrations: one row per migration, `created_at` the journal's `when`. */
async function lastAppliedAt(db: Db): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '__drizzle_migrations'",
  );
  if (Number(rows[0]!.n) === 0) return 0;
  const [[last]] = await db.pool.query<RowDataPacket[]>('SELECT MAX(created_at) AS at FROM __drizzle_migrations');
  return Number(last?.at ?? 0);
}

/** Migration names (the journal's tags) applied after `since` up to `until`. */
async function migrationsBetween(since: number, until: number): Promise<string[]> {
  const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  return journal.entries.filter((e) => e.when > since && e.when <= until).map((e) => e.tag);
}

/**
 * Creates the database when missing (utf8mb4, so names in any script fit) and applies pending
 * migrations; returns the names of those it applied, oldest first.
 */
export async function migrateDatabase(url: string): Promise<{ database: string; applied: string[] }> {
  const name = databaseName(url);
  const serverUrl = new URL(url);
  serverUrl.pathname = '/';
  const admin = await mysql.createConnection(connectionOptions(serverUrl.toString()));
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const db = createDb(url, 2);
  try {
    const before = await lastAppliedAt(db);
    await migrate(db.orm, { migrationsFolder });
    return { database: name, applied: await migrationsBetween(before, await lastAppliedAt(db)) };
  } finally {
    await db.close();
  }
}

/** Drops and recreates a database: for tests and the demo only, never called on the configured one by default. */
export async function recreateDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const serverUrl = new URL(url);
  serverUrl.pathname = '/';
  const admin = await mysql.createConnection(connectionOptions(serverUrl.toString()));
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.end();
  }
  await migrateDatabase(url);
}
