import {
  bigint, customType, date, index, int, mediumtext, mysqlEnum, mysqlTable, primaryKey, text, timestamp, uniqueIndex, varchar,
} from 'drizzle-orm/mysql-core';
import { FILE_FORMATS, RECON_CODES } from '../../domain/reconciliation.ts';
import { asciiKey, fen } from './columns.ts';

/** Up to 16 MB of bytes; mysql2 reads it as a Buffer. */
const mediumBlob = (name: string) =>
  customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'mediumblob' })(name);

/**
 * A setl_id cell exactly as the file had it: usually a short key, but an invalid row may hold
 * anything up to the reader's record limit, and the export must show it raw.
 */
const rawCell = (name: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'mediumtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  })(name);

/**
 * One version of an institution's detail file for one business day, identified by name and sha256.
 * Rejected files are not recorded (they count as not sent); their reason lies beside them in
 * rejected/.
 */
export const reconFiles = mysqlTable(
  'recon_files',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    /** The name it was delivered under: `{fixmedins_code}_{YYYYMMDD}.csv` (or `.3202.txt`, `.3202.zip`). */
    fileName: varchar('file_name', { length: 64 }).notNull(),
    /** Our CSV or a national 3202 file (whose rows are also answered in a `.3202.result.txt`). */
    format: mysqlEnum('format', FILE_FORMATS).notNull().default('csv'),
    sha256: asciiKey('sha256', 64).notNull(),
    /** Its name under archive/, which keeps every version of a corrected file. */
    archivedName: varchar('archived_name', { length: 80 }).notNull(),
    /** processing: rows are being recorded (a crash leaves it so, and the retry starts over); done: never changes again. */
    status: mysqlEnum('status', ['processing', 'done']).notNull(),
    encoding: mysqlEnum('encoding', ['utf-8', 'gb18030']).notNull(),
    /** Data records read (blank lines excluded); the per-code counts below add up to it. */
    rowCount: int('row_count', { unsigned: true }).notNull().default(0),
    matched: int('matched', { unsigned: true }).notNull().default(0),
    amountMismatch: int('amount_mismatch', { unsigned: true }).notNull().default(0),
    wrongPayee: int('wrong_payee', { unsigned: true }).notNull().default(0),
    missingInLedger: int('missing_in_ledger', { unsigned: true }).notNull().default(0),
    duplicateRow: int('duplicate_row', { unsigned: true }).notNull().default(0),
    invalidRow: int('invalid_row', { unsigned: true }).notNull().default(0),
    /**
     * Ids of the ledger settlements of this day and institution that a valid row reported (sorted,
     * delta-varint, deflated): MISSING_IN_FILE is recomputed from it on every run, even when the
     * ledger has grown since.
     */
    reportedIds: mediumBlob('reported_ids'),
    /** How many ids reported_ids holds: when it equals the ledger's count, nothing is missing. */
    reportedCount: int('reported_count', { unsigned: true }).notNull().default(0),
    /**
     * The institution's settlements of the day when this file was reconciled, and the ids among
     * them that no valid row reported (encoded as reported_ids); null when they were looked up in
     * batches instead. While the ledger still holds as many, MISSING_IN_FILE is exactly these ids and
     * the day's finaliser need not read the ledger's day again.
     */
    daySettlements: int('day_settlements', { unsigned: true }),
    unreportedIds: mediumBlob('unreported_ids'),
    startedAt: timestamp('started_at').notNull().defaultNow(),
    finishedAt: timestamp('finished_at'),
  },
  (t) => [
    // Serves "was this content already processed?" before a file is read, and makes it at most one record.
    uniqueIndex('recon_files_version_uq').on(t.businessDate, t.fixmedinsCode, t.sha256),
  ],
);

/**
 * The file whose outcomes stand for each institution and day: the latest one processed. Switching
 * it is a single-row write in the transaction that finishes the new file, so readers see either
 * the old file's outcomes or the new one's, never a mix.
 */
export const reconLatestFiles = mysqlTable(
  'recon_latest_files',
  {
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    fileId: int('file_id', { unsigned: true }).notNull(),
  },
  // The primary key serves the day's latest files in institution order (counts, export).
  (t) => [primaryKey({ name: 'recon_latest_files_pk', columns: [t.businessDate, t.fixmedinsCode] })],
);

/**
 * One version of an institution's 3201 totals file for one business day (SPEC 11), identified by
 * name and sha256; the latest one processed (highest id) stands. Its lines are kept, parsed, so the
 * comparison with the ledger is made afresh on every run of the day.
 */
export const reconTotalsFiles = mysqlTable(
  'recon_totals_files',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    fileName: varchar('file_name', { length: 64 }).notNull(),
    sha256: asciiKey('sha256', 64).notNull(),
    archivedName: varchar('archived_name', { length: 80 }).notNull(),
    encoding: mysqlEnum('encoding', ['utf-8', 'gb18030']).notNull(),
    /** JSON: the file's lines as parseTotalsLine reads them (domain/national-files). */
    lines: mediumtext('lines').notNull(),
    createdAt: timestamp('created_at').notNull().defaultNow(),
  },
  (t) => [
    // Serves "was this content already processed?" and, by its prefix, the day's latest file per institution.
    uniqueIndex('recon_totals_files_version_uq').on(t.businessDate, t.fixmedinsCode, t.sha256),
  ],
);

/** Business days reconciled at least once, so an export can tell "no discrepancies" from "never run". */
export const reconDays = mysqlTable('recon_days', {
  businessDate: date('business_date', { mode: 'string' }).primaryKey(),
  runs: int('runs', { unsigned: true }).notNull().default(0),
  lastRunAt: timestamp('last_run_at').notNull().defaultNow(),
  /** Totals of the last run (JSON): institutions, discrepancies and each code's count; per institution they come from the outcomes. */
  summary: text('summary'),
});

/**
 * Every non-MATCHED outcome. Rows of a file carry its file_id and row number and are visible while
 * that file is the latest of its institution and day; MISSING_IN_FILE rows have no file and are
 * replaced as a whole for the day on every run.
 */
export const reconOutcomes = mysqlTable(
  'recon_outcomes',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    /** The file's institution; for MISSING_IN_FILE the ledger's. */
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    /** Null for MISSING_IN_FILE. */
    fileId: int('file_id', { unsigned: true }),
    /** 1-based data-record number in the file (header excluded); null for MISSING_IN_FILE. */
    rowNo: int('row_no', { unsigned: true }),
    /** The raw cell; may be empty for an invalid row. */
    setlId: rawCell('setl_id').notNull(),
    code: mysqlEnum('code', RECON_CODES).notNull(),
    /** The row's amounts in fen; null for INVALID_ROW and MISSING_IN_FILE. */
    fileAcctPay: fen('file_acct_pay'),
    fileAcctMulaidPay: fen('file_acct_mulaid_pay'),
    /** The ledger settlement with this setl_id, if any; its amounts in fen. */
    settlementId: bigint('settlement_id', { mode: 'number', unsigned: true }),
    ledgerAcctPay: fen('ledger_acct_pay'),
    ledgerAcctMulaidPay: fen('ledger_acct_mulaid_pay'),
    detail: text('detail').notNull(),
  },
  (t) => [
    // Serves exporting a file's outcomes in row order and dropping those of a superseded file.
    index('recon_outcomes_file_row_idx').on(t.fileId, t.rowNo),
    // Serves replacing, counting and exporting a day's MISSING_IN_FILE rows (file_id null) per
    // institution; they are inserted in setl_id order, so the implicit id suffix keeps that order.
    index('recon_outcomes_day_idx').on(t.businessDate, t.fixmedinsCode, t.fileId),
  ],
);
