import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { connectionOptions, createDb, databaseName } from './client.ts';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Creates the database when missing (utf8mb4, so names in any script fit) and applies pending migrations. */
export async function migrateDatabase(url: string): Promise<{ database: string }> {
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
    await migrate(db.orm, { migrationsFolder });
  } finally {
    await db.close();
  }
  return { database: name };
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
