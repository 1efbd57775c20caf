import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../../src/app.ts';
import { startReconRun, type DayResult } from '../../src/recon/reconcile-day.service.ts';
import { runUntilFinished } from '../../jobs/wait.ts';

/** A designated institution; returns its id. */
export async function addInstitution(pool: Pool, code: string): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(
    "INSERT INTO institutions (fixmedins_code, name, type, admdvs, designated) VALUES (?, ?, 'pharmacy', '510104', true)",
    [code, `药店 ${code}`],
  );
  return result.insertId;
}

export interface LedgerSpec {
  setlId: string;
  psnNo?: string;
  code?: string;
  /** Shanghai wall clock; its date is the business day. */
  setlTime?: string;
  /** Fen. */
  acctPay?: number;
  acctMulaidPay?: number;
}

/**
 * Ledger settlements written straight into `settlements`, as the settlements import leaves them
 * (reconciliation reads only this table). Person and institution ids are not looked at.
 */
export async function addSettlements(pool: Pool, specs: readonly LedgerSpec[]): Promise<void> {
  for (let i = 0; i < specs.length; i += 1000) {
    const rows = specs.slice(i, i + 1000).map((s) => {
      const setlTime = s.setlTime ?? '2026-11-23 10:00:00';
      const acctPay = s.acctPay ?? 0;
      const acctMulaidPay = s.acctMulaidPay ?? 0;
      return [s.setlId, `M${s.setlId}`, 1, s.psnNo ?? 'P1', 1, s.code ?? 'H001', setlTime, setlTime.slice(0, 10), Math.abs(acctPay + acctMulaidPay) * 2,
        acctPay + acctMulaidPay, acctPay, acctMulaidPay, 0];
    });
    await pool.query(
      `INSERT INTO settlements (setl_id, mdtrt_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date,
                                medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay) VALUES ?`,
      [rows],
    );
  }
}

export interface Folders {
  inbox: string;
  outbox: string;
}

export function newFolders(): Folders {
  const root = mkdtempSync(path.join(tmpdir(), 'recon-'));
  const folders = { inbox: path.join(root, 'inbox'), outbox: path.join(root, 'outbox') };
  mkdirSync(folders.inbox);
  return folders;
}

export const HEADER = 'setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,acct_pay,acct_mulaid_pay,refd_setl_flag';

export interface RowSpec {
  setlId: string;
  psnNo?: string;
  code?: string;
  setlTime?: string;
  /** Yuan text, as institutions write it. */
  acctPay?: string;
  acctMulaidPay?: string;
  medfee?: string;
  flag?: string;
}

export function row(r: RowSpec): string {
  return [r.setlId, `M${r.setlId}`, r.psnNo ?? 'P1', r.code ?? 'H001', r.setlTime ?? '2026-11-23 10:00:00', r.medfee ?? '100.00',
    r.acctPay ?? '0.00', r.acctMulaidPay ?? '0.00', r.flag ?? '0'].join(',');
}

/** Writes a file into the inbox: lines joined by LF and ended by one, unless given as bytes. */
export function deliver(folders: Folders, name: string, content: string | Buffer | readonly string[]): string {
  const file = path.join(folders.inbox, name);
  writeFileSync(file, Array.isArray(content) ? `${content.join('\n')}\n` : (content as string | Buffer));
  return file;
}

/** `recon run --wait` in this process: enqueue the day and work it off to the end. */
export async function reconcile(app: App, folders: Folders, businessDate = '2026-11-23'): Promise<DayResult> {
  const { jobId } = await startReconRun(app, { businessDate, ...folders });
  return runUntilFinished<DayResult>(app, handlers, 'recon', jobId);
}

export type CsvObject = Record<string, string>;

export function readCsv(file: string): CsvObject[] {
  return parse(readFileSync(file), { columns: true, bom: true }) as CsvObject[];
}

/** The export lines without the free-text detail, for exact comparisons. */
export function withoutDetail(rows: CsvObject[]): CsvObject[] {
  return rows.map(({ detail: _, ...rest }) => rest);
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export async function storedOutcomes(pool: Pool): Promise<RowDataPacket[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT fixmedins_code, file_id, row_no, setl_id, code FROM recon_outcomes ORDER BY id');
  return rows;
}

const RECON_TABLES = ['recon_files', 'recon_latest_files', 'recon_outcomes'] as const;

export async function tableCounts(pool: Pool): Promise<Record<(typeof RECON_TABLES)[number], number>> {
  const counts = { recon_files: 0, recon_latest_files: 0, recon_outcomes: 0 };
  for (const table of RECON_TABLES) {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}
