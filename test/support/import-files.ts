import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../../src/db/client.ts';
import { IMPORTS } from '../../src/imports/catalog.ts';
import { runImport, type ImportKind, type ImportSummary } from '../../src/imports/import-runner.ts';
import { idNumberFor } from './factories.ts';

/** Small builders for import files, written to a temp dir of the test file. */

const dir = mkdtempSync(path.join(tmpdir(), 'imports-'));

export type CsvRow = Record<string, string | number>;

export interface CsvOptions {
  /** Header order; the first row's keys when omitted. */
  columns?: string[];
  encoding?: 'utf-8' | 'gb18030';
  bom?: boolean;
  crlf?: boolean;
}

const quoteCell = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

/** The text of a CSV file with a header row and RFC 4180 quoting. */
export function csvText(rows: readonly CsvRow[], options: CsvOptions = {}): string {
  const columns = options.columns ?? Object.keys(rows[0] ?? {});
  const eol = options.crlf ? '\r\n' : '\n';
  const lines = [columns, ...rows.map((row) => columns.map((c) => String(row[c] ?? '')))].map((cells) => cells.map(quoteCell).join(','));
  return lines.join(eol) + eol;
}

let fileCount = 0;

/** Writes `content` (raw bytes, text or CSV rows) under a fresh name ending in `name`; returns the path. */
export function writeImportFile(name: string, content: Buffer | string | readonly CsvRow[], options: CsvOptions = {}): string {
  const file = path.join(dir, `${++fileCount}-${name}`);
  if (Buffer.isBuffer(content)) {
    writeFileSync(file, content);
    return file;
  }
  const text = typeof content === 'string' ? content : csvText(content, options);
  const body = (options.bom ? '\uFEFF' : '') + text;
  writeFileSync(file, options.encoding === 'gb18030' ? iconv.encode(body, 'gb18030') : body);
  return file;
}

export function importFile(db: Db, kind: ImportKind, file: string): Promise<ImportSummary> {
  return runImport(db, IMPORTS[kind], file);
}

let idCounter = 90_000;

export const personRow = (psnNo: string, over: CsvRow = {}): CsvRow => ({
  psn_no: psnNo, id_number: idNumberFor(++idCounter), name: '张三', insutype: '310', admdvs: '510104', status: 'active', resident_category: '', ...over,
});

export const institutionRow = (code: string, over: CsvRow = {}): CsvRow => ({
  fixmedins_code: code, name: '人民大药房', type: 'pharmacy', admdvs: '510104', designated: 'true', ...over,
});

export const bindingRow = (payer: string, beneficiary: string, over: CsvRow = {}): CsvRow => ({
  payer_psn_no: payer, beneficiary_psn_no: beneficiary, relationship: 'parent', priority: 1, bound_at: '2020-01-01 00:00:00', revoked_at: '', ...over,
});

export const settlementRow = (setlId: string, psnNo: string, code: string, burden: string, over: CsvRow = {}): CsvRow => ({
  setl_id: setlId, mdtrt_id: `M${setlId}`, psn_no: psnNo, fixmedins_code: code, setl_time: '2026-11-23 10:00:00',
  medfee_sumamt: burden, personal_burden: burden, orig_setl_id: '', ...over,
});

/** Imports rows of one kind that must all be accepted: test setup through the real import path. */
export async function seed(db: Db, kind: ImportKind, rows: readonly CsvRow[]): Promise<void> {
  const summary = await importFile(db, kind, writeImportFile(`${kind}.csv`, rows));
  if (summary.rejected > 0) throw new Error(`seeding ${kind}: ${JSON.stringify(summary.errors)}`);
}

export async function query<T = RowDataPacket>(pool: Pool, sql: string, values: unknown[] = []): Promise<T[]> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, values);
  return rows as T[];
}

/** Balance in fen of a person's account by psn_no, or null when the person has none. */
export async function balanceByPsnNo(pool: Pool, psnNo: string): Promise<number | null> {
  const rows = await query<{ balance: number }>(pool, 'SELECT a.balance FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.psn_no = ?', [psnNo]);
  return rows[0]?.balance ?? null;
}

/** Counts of every table imports write, to show that an import wrote nothing. */
export async function tableCounts(pool: Pool): Promise<Record<string, number>> {
  const tables = ['persons', 'accounts', 'institutions', 'bindings', 'credits', 'ledger_entries', 'settlements'];
  const rows = await query<{ t: string; n: number }>(pool, tables.map((t) => `SELECT '${t}' AS t, COUNT(*) AS n FROM ${t}`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

/** Accounts whose balance is not opening balance + ledger sum: must always be none. */
export async function ledgerMismatches(pool: Pool): Promise<number[]> {
  const rows = await query<{ person_id: number }>(
    pool,
    `SELECT a.person_id FROM accounts a
       LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) l ON l.account_id = a.person_id
      WHERE a.balance <> a.opening_balance + COALESCE(l.total, 0)`,
  );
  return rows.map((r) => r.person_id);
}
