import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import type { App } from '../app.ts';
import { CsvFileError, openCsv, type CsvFile } from '../csv/read-csv.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  archivedFileName, checkRow, emptyCounts, judgeRow, parseReconFileName, RECON_COLUMN_LABELS, RECON_COLUMNS, reportsSettlement,
  type FileIdentity, type ReconColumn, type ReconCounts, type RowCheck,
} from '../domain/reconciliation.ts';
import { logger } from '../logger.ts';
import { FirstRows } from './first-rows.ts';
import { compactHeap } from './heap.ts';
import { archiveFile, fileExists, rejectFile, sha256OfFile } from './inbox.ts';
import {
  deleteFileOutcomes, findFileVersion, findLedgerSettlements, finishFileVersion, insertOutcomes, institutionExists, startFileVersion,
  type OutcomeRow,
} from './recon.repository.ts';
import { ReportedIds } from './reported-ids.ts';

export interface ReconcileFileRequest {
  businessDate: string;
  inbox: string;
  fileName: string;
}

export type RowCounts = Omit<ReconCounts, 'MISSING_IN_FILE'>;

/** What became of one inbox file in a run (the job's result, part of the day's summary). */
export interface FileResult {
  file: string;
  status: 'reconciled' | 'skipped' | 'rejected';
  /** Why it was skipped or rejected. */
  reason?: string;
  /** reconciled: data records read and their codes. */
  rows?: number;
  counts?: RowCounts;
}

/** setl_ids sent to the ledger per query: big enough to amortise the round trip, small enough for the packet. */
const LOOKUP_BATCH = 4000;
/** Lookups in flight while the next rows are parsed: the database works on the other core meanwhile. */
const MAX_IN_FLIGHT = 2;
const INSERT_ROWS = 1000;
const COMPACT_EVERY = 50_000;
const INSERT_BYTES = 2 << 20;
/** The ledger's setl_id column holds 64 characters: a longer key cannot be there. */
const LEDGER_KEY_CHARS = 64;

/**
 * Reconciles one institution's file for one business day (SPEC 5): whole-file checks (name,
 * institution, encoding, header), then every row checked, de-duplicated and compared with the
 * ledger; non-MATCHED outcomes stored; finally the file becomes its institution's latest for the
 * day and moves to archive/. The same content again is recognised by its sha256 and skipped.
 */
export async function reconcileFile(app: App, request: ReconcileFileRequest, onProgress?: (rows: number) => Promise<void>): Promise<FileResult> {
  const { inbox, fileName } = request;
  const file = path.join(inbox, fileName);
  const identity = parseReconFileName(fileName);
  if (!identity || identity.businessDate !== request.businessDate) throw new Error(`${fileName} is not a file of ${request.businessDate}`);
  if (!(await fileExists(file))) return { file: fileName, status: 'skipped', reason: 'no longer in the inbox (another run took it)' };

  // Hashed here, not trusted from the scan: the record must describe the bytes actually read.
  const sha256 = await sha256OfFile(file);
  const archivedName = archivedFileName(identity, sha256);
  const known = await findFileVersion(app.db.pool, identity, sha256);
  if (known?.status === 'done') {
    await archiveFile(inbox, fileName, archivedName);
    return { file: fileName, status: 'skipped', reason: 'same content already reconciled' };
  }

  const rejection = await wholeFileProblem(app.db.pool, file, identity);
  if (typeof rejection === 'string') {
    await rejectFile(inbox, fileName, rejection);
    logger.info({ file: fileName, reason: rejection }, 'reconciliation file rejected');
    return { file: fileName, status: 'rejected', reason: rejection };
  }
  const csv = rejection;

  const fileId = await startFileVersion(app.db.pool, { identity, fileName, sha256, archivedName, encoding: csv.encoding }, known);
  const recorded = await recordRows(app.db.pool, csv, identity, fileId, onProgress);
  const replacedFileId = await inTransaction(app.db.pool, (conn) => finishFileVersion(conn, {
    fileId, identity, rowCount: recorded.rows, counts: recorded.counts, reportedIds: recorded.reported.encode(), reportedCount: recorded.reported.size,
  }));
  if (replacedFileId !== null) await deleteFileOutcomes(app.db.pool, replacedFileId);
  await archiveFile(inbox, fileName, archivedName);
  const { MISSING_IN_FILE: _, ...counts } = recorded.counts;
  logger.info({ file: fileName, fileId, rows: recorded.rows, replacedFileId, ...counts }, 'reconciliation file recorded');
  return { file: fileName, status: 'reconciled', rows: recorded.rows, counts };
}

/** The reason the whole file is rejected, or the opened file. */
async function wholeFileProblem(pool: Pool, file: string, identity: FileIdentity): Promise<string | CsvFile<ReconColumn>> {
  if (!(await institutionExists(pool, identity.fixmedinsCode))) return `unknown institution ${identity.fixmedinsCode}`;
  try {
    return await openCsv(file, { required: RECON_COLUMNS, aliases: RECON_COLUMN_LABELS });
  } catch (error) {
    if (error instanceof CsvFileError) return error.reason;
    throw error;
  }
}

/**
 * Rows waiting for their ledger lookup, kept as primitives in typed arrays: row objects held across
 * the lookup's round trip would survive young-generation collections and be copied into the old
 * one, which at a million rows costs more than everything else the worker does with them.
 */
class PendingRows {
  size = 0;
  readonly rows = new Uint32Array(LOOKUP_BATCH);
  /** The earlier row of a repeated setl_id, or 0. */
  readonly firstRows = new Uint32Array(LOOKUP_BATCH);
  readonly acctPay = new Float64Array(LOOKUP_BATCH);
  readonly acctMulaidPay = new Float64Array(LOOKUP_BATCH);
  readonly setlIds: string[] = [];
  /** Null for an invalid row, whose reasons are kept aside (they are rare). */
  readonly psnNos: (string | null)[] = [];
  readonly reasons = new Map<number, string[]>();

  get full(): boolean {
    return this.size === LOOKUP_BATCH;
  }

  push(row: number, check: RowCheck, firstRow: number | undefined): void {
    const i = this.size++;
    this.rows[i] = row;
    this.firstRows[i] = firstRow ?? 0;
    if (check.valid) {
      this.setlIds.push(check.row.setlId);
      this.psnNos.push(check.row.psnNo);
      this.acctPay[i] = check.row.acctPay;
      this.acctMulaidPay[i] = check.row.acctMulaidPay;
    } else {
      this.setlIds.push(check.setlId);
      this.psnNos.push(null);
      this.reasons.set(i, check.reasons);
    }
  }

  /** The check of row `i` again, as checkRow gave it. */
  check(i: number, identity: FileIdentity): RowCheck {
    const psnNo = this.psnNos[i]!;
    if (psnNo === null) return { valid: false, setlId: this.setlIds[i]!, reasons: this.reasons.get(i)! };
    return {
      valid: true,
      row: { setlId: this.setlIds[i]!, psnNo, fixmedinsCode: identity.fixmedinsCode, acctPay: this.acctPay[i]!, acctMulaidPay: this.acctMulaidPay[i]! },
    };
  }
}

interface Recorded {
  rows: number;
  counts: ReconCounts;
  reported: ReportedIds;
}

/**
 * Streams the rows: checks and de-duplication run in file order as rows are parsed; ledger lookups
 * and outcome writes run in batches, a couple in flight, while parsing goes on. Memory is bounded
 * by the batches in flight plus the compact setl_id index (FirstRows) and the reported ids.
 */
async function recordRows(
  pool: Pool,
  csv: CsvFile<ReconColumn>,
  identity: FileIdentity,
  fileId: number,
  onProgress?: (rows: number) => Promise<void>,
): Promise<Recorded> {
  const layout = { columns: csv.columns, width: csv.width };
  const firstRows = new FirstRows();
  const recorded: Recorded = { rows: 0, counts: emptyCounts(), reported: new ReportedIds() };
  const inFlight: Promise<void>[] = [];
  let pending = new PendingRows();

  const dispatch = async () => {
    const work = resolveRows(pool, pending, identity, fileId, recorded);
    pending = new PendingRows();
    // Awaited below in order; this only stops an early failure from being reported as unhandled.
    work.catch(() => undefined);
    inFlight.push(work);
    while (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
  };

  let nextProgress = 100_000;
  let nextCompaction = COMPACT_EVERY;
  for await (const batch of csv.batches) {
    for (const record of batch) {
      const check: RowCheck = record.error !== undefined
        ? { valid: false, setlId: '', reasons: [record.error] }
        : checkRow(record.fields, layout, identity);
      // Invalid rows never count as seen.
      pending.push(record.row, check, check.valid ? firstRows.firstRowOf(check.row.setlId, record.row) : undefined);
      if (pending.full) await dispatch();
    }
    recorded.rows += batch.length;
    if (recorded.rows >= nextCompaction) {
      nextCompaction += COMPACT_EVERY;
      compactHeap();
    }
    if (onProgress && recorded.rows >= nextProgress) {
      nextProgress += 100_000;
      await onProgress(recorded.rows);
    }
  }
  if (pending.size > 0) await dispatch();
  await Promise.all(inFlight);
  // The setl_id index of a large file is garbage from here on: return its memory before encoding.
  if (firstRows.size > COMPACT_EVERY) compactHeap(true);
  return recorded;
}

function mayBeInLedger(setlId: string): boolean {
  return setlId !== '' && (setlId.length <= LEDGER_KEY_CHARS || [...setlId].length <= LEDGER_KEY_CHARS);
}

async function resolveRows(pool: Pool, pending: PendingRows, identity: FileIdentity, fileId: number, recorded: Recorded): Promise<void> {
  const keys = new Set<string>();
  for (const setlId of pending.setlIds) if (mayBeInLedger(setlId)) keys.add(setlId);
  const ledger = await findLedgerSettlements(pool, [...keys], identity);

  let outcomes: OutcomeRow[] = [];
  let bytes = 0;
  for (let i = 0; i < pending.size; i++) {
    const setlId = pending.setlIds[i]!;
    const check = pending.check(i, identity);
    const firstRow = pending.firstRows[i] === 0 ? undefined : pending.firstRows[i];
    const settlement = setlId === '' ? undefined : ledger.get(setlId);
    const { code, detail } = judgeRow(check, firstRow, settlement);
    recorded.counts[code]++;
    if (reportsSettlement(check, firstRow, settlement, identity)) recorded.reported.add(settlement!.id);
    if (code === 'MATCHED') continue;
    // The file side comes from a valid row only; the ledger side whenever the setl_id is in the ledger.
    const fileSide = check.valid ? check.row : null;
    outcomes.push({
      businessDate: identity.businessDate, fixmedinsCode: identity.fixmedinsCode, fileId, rowNo: pending.rows[i]!, setlId, code,
      fileAcctPay: fileSide?.acctPay ?? null, fileAcctMulaidPay: fileSide?.acctMulaidPay ?? null,
      settlementId: settlement?.id ?? null, ledgerAcctPay: settlement?.acctPay ?? null, ledgerAcctMulaidPay: settlement?.acctMulaidPay ?? null,
      detail,
    });
    bytes += 3 * (setlId.length + detail.length) + 200;
    if (outcomes.length >= INSERT_ROWS || bytes >= INSERT_BYTES) {
      await insertOutcomes(pool, outcomes);
      outcomes = [];
      bytes = 0;
    }
  }
  await insertOutcomes(pool, outcomes);
}
