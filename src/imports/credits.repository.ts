import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { ShanghaiTime } from '../domain/time.ts';

export interface StoredCredit {
  creditId: string;
  psnNo: string;
  amount: Fen;
  creditedAt: ShanghaiTime;
}

export async function findCredits(conn: PoolConnection, creditIds: Iterable<string>): Promise<Map<string, StoredCredit>> {
  const ids = [...new Set(creditIds)];
  if (ids.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT c.credit_id, p.psn_no, c.amount, c.credited_at
       FROM credits c JOIN persons p ON p.id = c.person_id
      WHERE c.credit_id IN (?)`,
    [ids],
  );
  return new Map(rows.map((r) => [r.credit_id as string, { creditId: r.credit_id, psnNo: r.psn_no, amount: r.amount, creditedAt: r.credited_at }]));
}

export interface NewCredit {
  creditId: string;
  personId: number;
  amount: Fen;
  creditedAt: ShanghaiTime;
}

/** Inserts credits and returns their row ids by credit_id (the ledger key is built from the row id). */
export async function insertCredits(conn: PoolConnection, credits: readonly NewCredit[]): Promise<Map<string, number>> {
  if (credits.length === 0) return new Map();
  await conn.query('INSERT INTO credits (credit_id, person_id, amount, credited_at) VALUES ?', [
    credits.map((c) => [c.creditId, c.personId, c.amount, c.creditedAt]),
  ]);
  // Read the ids back: with innodb_autoinc_lock_mode=2 (MySQL 8's default) a multi-row insert's ids need not be consecutive.
  const [rows] = await conn.query<RowDataPacket[]>('SELECT id, credit_id FROM credits WHERE credit_id IN (?)', [credits.map((c) => c.creditId)]);
  return new Map(rows.map((r) => [r.credit_id as string, r.id as number]));
}
