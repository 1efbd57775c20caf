import type { Connection as CoreConnection } from 'mysql2';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import type { TextEncoding } from '../csv/encoding.ts';
import type { Fen } from '../domain/money.ts';
import {
  emptyCounts, type FileFormat, type FileIdentity, type InstitutionCounts, type LedgerSettlement, type ReconCode, type ReconCounts, type ReconFileName,
  type ReconOutcome,
} from '../domain/reconciliation.ts';


/** Rows per multi-row statement: well under max_allowed_packet even with long raw cells. */
const DELETE_BATCH = 10_000;

// ---------------------------------------------------------------------------------------------
// Files

export interface FileVersion {
  id: number;
  status: 'processing' | 'done';
  fileName: string;
  archivedName: string;
}

export async function institutionExists(db: Queryable, fixmedinsCode: string): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT 1 FROM institutions WHERE fixmedins_code = ?', [fixmedinsCode]);
  return rows.length > 0;
}

export async function findFileVersion(db: Queryable, identity: FileIdentity, sha256: string): Promise<FileVersion | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT id, status, file_name, archived_name FROM recon_files WHERE business_date = ? AND fixmedins_code = ? AND sha256 = ?',
    [identity.businessDate, identity.fixmedinsCode, sha256],
  );
  const r = rows[0];
  return r ? { id: r.id, status: r.status, fileName: r.file_name, archivedName: r.archived_name } : null;
}

export interface NewFileVersion {
  identity: ReconFileName;
  fileName: string;
  sha256: string;
  archivedName: string;
  encoding: TextEncoding;
}

/**
 * Records a file version as being processed and returns its id. A version an earlier attempt left
 * `processing` (it died or failed midway) is taken over: the outcomes it had written are dropped.
 */
export async function startFileVersion(pool: Pool, file: NewFileVersion, unfinished: FileVersion | null): Promise<number> {
  if (unfinished) {
    await deleteFileOutcomes(pool, unfinished.id);
    await pool.query('UPDATE recon_files SET started_at = CURRENT_TIMESTAMP WHERE id = ?', [unfinished.id]);
    return unfinished.id;
  }
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO recon_files (business_date, fixmedins_code, file_name, format, sha256, archived_name, status, encoding)
     VALUES (?, ?, ?, ?, ?, ?, 'processing', ?)`,
    [file.identity.businessDate, file.identity.fixmedinsCode, file.fileName, file.identity.format, file.sha256, file.archivedName, file.encoding],
  );
  return result.insertId;
}

export interface FinishedFile {
  fileId: number;
  identity: FileIdentity;
  rowCount: number;
  counts: ReconCounts;
  reportedIds: Buffer;
  reportedCount: number;
  /** Null when the day's settlements were looked up in batches. */
  day: { settlements: number; unreportedIds: Buffer } | null;
}

/**
 * Marks the file done and makes it the latest of its institution and day, in one transaction.
 * Returns the file it replaces (whose outcomes are now garbage), if any.
 */
export async function finishFileVersion(conn: PoolConnection, f: FinishedFile): Promise<number | null> {
  await conn.query(
    `UPDATE recon_files
        SET status = 'done', row_count = ?, matched = ?, amount_mismatch = ?, wrong_payee = ?, missing_in_ledger = ?,
            duplicate_row = ?, invalid_row = ?, reported_ids = ?, reported_count = ?, day_settlements = ?, unreported_ids = ?,
            finished_at = CURRENT_TIMESTAMP
      WHERE id = ?`,
    [
      f.rowCount, f.counts.MATCHED, f.counts.AMOUNT_MISMATCH, f.counts.WRONG_PAYEE, f.counts.MISSING_IN_LEDGER, f.counts.DUPLICATE_ROW,
      f.counts.INVALID_ROW, f.reportedIds, f.reportedCount, f.day?.settlements ?? null, f.day?.unreportedIds ?? null, f.fileId,
    ],
  );
  const [previous] = await conn.query<RowDataPacket[]>(
    'SELECT file_id FROM recon_latest_files WHERE business_date = ? AND fixmedins_code = ? FOR UPDATE',
    [f.identity.businessDate, f.identity.fixmedinsCode],
  );
  await conn.query(
    `INSERT INTO recon_latest_files (business_date, fixmedins_code, file_id) VALUES (?, ?, ?)
     ON DUPLICATE KEY UPDATE file_id = VALUES(file_id)`,
    [f.identity.businessDate, f.identity.fixmedinsCode, f.fileId],
  );
  const replaced = previous[0]?.file_id as number | undefined;
  return replaced !== undefined && replaced !== f.fileId ? replaced : null;
}

/** Forgets a version that was never finished (its file changed while read): its outcomes, then its row. */
export async function dropUnfinishedFileVersion(pool: Pool, fileId: number): Promise<void> {
  await deleteFileOutcomes(pool, fileId);
  await pool.query("DELETE FROM recon_files WHERE id = ? AND status = 'processing'", [fileId]);
}

/** Drops a file's outcomes in bounded statements (a superseded file may have a million). */
export async function deleteFileOutcomes(pool: Pool, fileId: number): Promise<void> {
  for (;;) {
    const [result] = await pool.query<ResultSetHeader>('DELETE FROM recon_outcomes WHERE file_id = ? LIMIT ?', [fileId, DELETE_BATCH]);
    if (result.affectedRows < DELETE_BATCH) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Ledger side

type LedgerRow = [
  setlId: string, id: number, psnNo: string, acctPay: Fen, acctMulaidPay: Fen, medfeeSumamt: Fen, fundPaySumamt: Fen | null, otherCode: string | null,
  otherDate: string | null,
];

/** The ledger's answer for one batch of setl_ids. */
export class LedgerLookup {
  constructor(
    private readonly rows: Map<string, LedgerRow>,
    private readonly file: FileIdentity,
  ) {}

  get(setlId: string): LedgerSettlement | undefined {
    const r = this.rows.get(setlId);
    if (!r) return undefined;
    return {
      id: r[1], setlId: r[0], psnNo: r[2], acctPay: r[3], acctMulaidPay: r[4], medfeeSumamt: r[5], fundPaySumamt: r[6],
      fixmedinsCode: r[7] ?? this.file.fixmedinsCode, businessDate: r[8] ?? this.file.businessDate,
    };
  }
}

/**
 * The ledger's settlements with these setl_ids, wherever and whenever they were paid (MISSING_IN_LEDGER
 * looks up the whole ledger). Institution and day come back only where they differ from the file's:
 * at a million rows, every string less in the answer is garbage the collector does not copy.
 * Keys are matched exactly in JavaScript as well: the column's PAD SPACE collation and the
 * truncation of over-long keys must not match a different setl_id.
 */
export async function findLedgerSettlements(pool: Pool, setlIds: readonly string[], file: FileIdentity): Promise<LedgerLookup> {
  const found = new Map<string, LedgerRow>();
  if (setlIds.length > 0) {
    const [rows] = await pool.query<RowDataPacket[]>({
      sql: `SELECT setl_id, id, psn_no, acct_pay, acct_mulaid_pay, medfee_sumamt, fund_pay_sumamt, IF(fixmedins_code = ?, NULL, fixmedins_code),
                   IF(business_date = ?, NULL, business_date)
              FROM settlements WHERE setl_id IN (?)`,
      rowsAsArray: true,
      values: [file.fixmedinsCode, file.businessDate, setlIds],
    });
    for (const r of rows as unknown as LedgerRow[]) found.set(r[0], r);
  }
  return new LedgerLookup(found, file);
}

export type DaySettlementRow = [
  setlId: string, id: number, psnNo: string, acctPay: Fen, acctMulaidPay: Fen, medfeeSumamt: Fen, fundPaySumamt: Fen | null,
];

/**
 * An institution's settlements of a day in setl_id order, at most `limit`, each handed to `onRow`
 * as it arrives, read from the day index alone (settlements_day_institution_idx holds every column
 * asked for). Streamed: a result buffered whole (or a page of it) lives through young-generation
 * collections, and copying it there cost as much as decoding it. Resolves to the number of rows.
 */
export async function streamDaySettlements(pool: Pool, file: FileIdentity, limit: number, onRow: (row: DaySettlementRow) => void): Promise<number> {
  const conn = await pool.getConnection();
  try {
    return await new Promise<number>((resolve, reject) => {
      let rows = 0;
      let failed: unknown;
      // The callback connection under the promise wrapper: only it emits rows one by one.
      (conn.connection as unknown as CoreConnection)
        .query({
          sql: `SELECT setl_id, id, psn_no, acct_pay, acct_mulaid_pay, medfee_sumamt, fund_pay_sumamt
                  FROM settlements FORCE INDEX (settlements_day_institution_idx)
                 WHERE business_date = ? AND fixmedins_code = ? ORDER BY setl_id LIMIT ?`,
          rowsAsArray: true,
          values: [file.businessDate, file.fixmedinsCode, limit],
        })
        .on('result', (row: unknown) => {
          rows++;
          // Thrown here, it would escape into the driver's packet parser.
          if (failed === undefined) {
            try {
              onRow(row as DaySettlementRow);
            } catch (error) {
              failed = error;
            }
          }
        })
        .on('error', reject)
        .on('end', () => (failed === undefined ? resolve(rows) : reject(failed)));
    });
  } finally {
    conn.release();
  }
}

/**
 * How many settlements the ledger holds per institution for the day, from the smallest index that
 * has them: the covering day index would serve too, at five times the pages read.
 */
export async function ledgerCountsOfDay(pool: Pool, businessDate: string): Promise<Map<string, number>> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT fixmedins_code, COUNT(*) AS n FROM settlements FORCE INDEX (settlements_day_count_idx) WHERE business_date = ? GROUP BY fixmedins_code',
    [businessDate],
  );
  return new Map(rows.map((r) => [r.fixmedins_code as string, Number(r.n)]));
}

/**
 * One page of an institution's settlements of the day in setl_id order, from the day index alone
 * (which holds every column read here): the table's rows would be a page read each.
 */
export async function ledgerSettlementsPage(
  pool: Pool, businessDate: string, fixmedinsCode: string, afterSetlId: string | null, limit: number,
): Promise<MissingSettlement[]> {
  const [rows] = await pool.query<RowDataPacket[]>({
    sql: `SELECT id, setl_id, setl_time, acct_pay, acct_mulaid_pay FROM settlements FORCE INDEX (settlements_day_institution_idx)
           WHERE business_date = ? AND fixmedins_code = ? ${afterSetlId === null ? '' : 'AND setl_id > ?'}
           ORDER BY setl_id LIMIT ?`,
    values: afterSetlId === null ? [businessDate, fixmedinsCode, limit] : [businessDate, fixmedinsCode, afterSetlId, limit],
  });
  return rows.map(toMissing);
}

export interface MissingSettlement {
  id: number;
  setlId: string;
  setlTime: string;
  acctPay: Fen;
  acctMulaidPay: Fen;
}

/** Full rows of the given settlement ids, in setl_id order. */
export async function ledgerSettlementsByIds(pool: Pool, ids: readonly number[]): Promise<MissingSettlement[]> {
  if (ids.length === 0) return [];
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT id, setl_id, setl_time, acct_pay, acct_mulaid_pay FROM settlements WHERE id IN (?) ORDER BY setl_id',
    [ids],
  );
  return rows.map(toMissing);
}

const toMissing = (r: RowDataPacket): MissingSettlement => ({ id: r.id, setlId: r.setl_id, setlTime: r.setl_time, acctPay: r.acct_pay, acctMulaidPay: r.acct_mulaid_pay });

// ---------------------------------------------------------------------------------------------
// Outcomes

export interface OutcomeRow {
  businessDate: string;
  fixmedinsCode: string;
  fileId: number | null;
  rowNo: number | null;
  setlId: string;
  code: ReconCode;
  fileAcctPay: Fen | null;
  fileAcctMulaidPay: Fen | null;
  settlementId: number | null;
  ledgerAcctPay: Fen | null;
  ledgerAcctMulaidPay: Fen | null;
  detail: string;
}

/** One multi-row INSERT; callers bound the batch (rows and bytes). */
export async function insertOutcomes(db: Queryable, rows: readonly OutcomeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO recon_outcomes (business_date, fixmedins_code, file_id, row_no, setl_id, code, file_acct_pay, file_acct_mulaid_pay,
                                 settlement_id, ledger_acct_pay, ledger_acct_mulaid_pay, detail) VALUES ?`,
    [rows.map((o) => [
      o.businessDate, o.fixmedinsCode, o.fileId, o.rowNo, o.setlId, o.code, o.fileAcctPay, o.fileAcctMulaidPay, o.settlementId,
      o.ledgerAcctPay, o.ledgerAcctMulaidPay, o.detail,
    ])],
  );
}

export async function deleteMissingInFile(conn: PoolConnection, businessDate: string): Promise<void> {
  await conn.query('DELETE FROM recon_outcomes WHERE business_date = ? AND file_id IS NULL', [businessDate]);
}

// ---------------------------------------------------------------------------------------------
// A day's results

export interface LatestFile {
  fixmedinsCode: string;
  fileId: number;
  fileName: string;
  format: FileFormat;
  archivedName: string;
  reportedCount: number;
  /** The institution's settlements of the day when the file was reconciled, if known. */
  daySettlements: number | null;
  counts: ReconCounts;
}

export async function latestFilesOfDay(db: Queryable, businessDate: string): Promise<LatestFile[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT l.fixmedins_code, f.id, f.file_name, f.format, f.archived_name, f.reported_count, f.day_settlements, f.matched, f.amount_mismatch, f.wrong_payee, f.missing_in_ledger,
            f.duplicate_row, f.invalid_row
       FROM recon_latest_files l JOIN recon_files f ON f.id = l.file_id
      WHERE l.business_date = ? ORDER BY l.fixmedins_code`,
    [businessDate],
  );
  return rows.map((r) => ({
    fixmedinsCode: r.fixmedins_code,
    fileId: r.id,
    fileName: r.file_name,
    format: r.format,
    archivedName: r.archived_name,
    reportedCount: r.reported_count,
    daySettlements: r.day_settlements,
    counts: {
      ...emptyCounts(), MATCHED: r.matched, AMOUNT_MISMATCH: r.amount_mismatch, WRONG_PAYEE: r.wrong_payee,
      MISSING_IN_LEDGER: r.missing_in_ledger, DUPLICATE_ROW: r.duplicate_row, INVALID_ROW: r.invalid_row,
    },
  }));
}

export async function reportedIdsOf(pool: Pool, fileId: number, which: 'reported_ids' | 'unreported_ids' = 'reported_ids'): Promise<Buffer | null> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${which} AS ids FROM recon_files WHERE id = ?`, [fileId]);
  return (rows[0]?.ids as Buffer | null | undefined) ?? null;
}

/** Per institution: its latest file's counts plus the day's MISSING_IN_FILE, in institution order. */
export async function countsOfDay(db: Queryable, businessDate: string): Promise<InstitutionCounts[]> {
  const byCode = new Map<string, ReconCounts>();
  for (const f of await latestFilesOfDay(db, businessDate)) byCode.set(f.fixmedinsCode, { ...f.counts });
  const [missing] = await db.query<RowDataPacket[]>(
    'SELECT fixmedins_code, COUNT(*) AS n FROM recon_outcomes WHERE business_date = ? AND file_id IS NULL GROUP BY fixmedins_code',
    [businessDate],
  );
  for (const r of missing) {
    const counts = byCode.get(r.fixmedins_code) ?? emptyCounts();
    counts.MISSING_IN_FILE = Number(r.n);
    byCode.set(r.fixmedins_code, counts);
  }
  // Codes are ASCII, so JavaScript's order is byte order.
  return [...byCode.keys()].sort().map((fixmedinsCode) => ({ fixmedinsCode, counts: byCode.get(fixmedinsCode)! }));
}

export async function recordDayRun(db: Queryable, businessDate: string, totals: Record<string, number>): Promise<void> {
  await db.query(
    `INSERT INTO recon_days (business_date, runs, summary) VALUES (?, 1, ?)
     ON DUPLICATE KEY UPDATE runs = runs + 1, last_run_at = CURRENT_TIMESTAMP, summary = VALUES(summary)`,
    [businessDate, JSON.stringify(totals)],
  );
}

export async function dayWasReconciled(db: Queryable, businessDate: string): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT 1 FROM recon_days WHERE business_date = ?', [businessDate]);
  return rows.length > 0;
}

const EXPORT_PAGE = 5000;

type StoredOutcome = Omit<ReconOutcome, 'file'>;

function toOutcome(r: RowDataPacket): StoredOutcome {
  return {
    businessDate: r.business_date, fixmedinsCode: r.fixmedins_code, setlId: r.setl_id, code: r.code, fileAcctPay: r.file_acct_pay,
    fileAcctMulaidPay: r.file_acct_mulaid_pay, ledgerAcctPay: r.ledger_acct_pay, ledgerAcctMulaidPay: r.ledger_acct_mulaid_pay,
    row: r.row_no, detail: r.detail,
  };
}

const OUTCOME_COLUMNS = `id, business_date, fixmedins_code, row_no, setl_id, code, file_acct_pay, file_acct_mulaid_pay,
                         ledger_acct_pay, ledger_acct_mulaid_pay, detail`;

/** A file's outcomes in row order, a page at a time (index recon_outcomes_file_row_idx). */
export async function* fileOutcomes(pool: Pool, fileId: number): AsyncGenerator<StoredOutcome[]> {
  for (let after = 0; ;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT ${OUTCOME_COLUMNS} FROM recon_outcomes WHERE file_id = ? AND row_no > ? ORDER BY row_no LIMIT ?`,
      [fileId, after, EXPORT_PAGE],
    );
    if (rows.length > 0) yield rows.map(toOutcome);
    if (rows.length < EXPORT_PAGE) return;
    after = rows.at(-1)!.row_no;
  }
}

/** An institution's MISSING_IN_FILE outcomes of the day in setl_id order, a page at a time (index recon_outcomes_day_idx). */
export async function* missingOutcomes(pool: Pool, businessDate: string, fixmedinsCode: string): AsyncGenerator<StoredOutcome[]> {
  for (let after = 0; ;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT ${OUTCOME_COLUMNS} FROM recon_outcomes
        WHERE business_date = ? AND fixmedins_code = ? AND file_id IS NULL AND id > ? ORDER BY id LIMIT ?`,
      [businessDate, fixmedinsCode, after, EXPORT_PAGE],
    );
    if (rows.length > 0) yield rows.map(toOutcome);
    if (rows.length < EXPORT_PAGE) return;
    after = rows.at(-1)!.id;
  }
}

/** Institutions with MISSING_IN_FILE outcomes on the day. */
export async function institutionsWithMissing(pool: Pool, businessDate: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT DISTINCT fixmedins_code FROM recon_outcomes WHERE business_date = ? AND file_id IS NULL ORDER BY fixmedins_code',
    [businessDate],
  );
  return rows.map((r) => r.fixmedins_code as string);
}
