import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import type { App } from '../app.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  archivedFileName, emptyCounts, isDetailFile, judgeRow, parseReconFileName, reportsSettlement, type LedgerSettlement, type ReconCounts,
  type ReconFileName,
} from '../domain/reconciliation.ts';
import { logger } from '../logger.ts';
import { loadDaySettlements, type DaySettlements } from './engine/day-settlements.ts';
import { FirstRows } from './engine/first-rows.ts';
import { compactHeap } from './engine/heap.ts';
import { reconFileHashed } from './fault-injection.ts';
import { archiveFile, fileExists, rejectFile, sha256OfFile } from './inbox.ts';
import {
  deleteFileOutcomes, dropUnfinishedFileVersion, findFileVersion, findLedgerSettlements, finishFileVersion, insertOutcomes, institutionExists, startFileVersion,
  type OutcomeRow,
} from './recon.repository.ts';
import { PackedIds } from './engine/packed-ids.ts';
import { openRowsInThread, type FileRows } from './engine/threaded-rows.ts';
import type { RowBatch } from './engine/row-batch.ts';
import { AnswerRows, BatchAnswers } from './national/answer-rows.ts';
import { recordTotalsFile } from './national/totals.service.ts';

export interface ReconcileFileRequest {
  businessDate: string;
  inbox: string;
  fileName: string;
}

export type RowCounts = Omit<ReconCounts, 'MISSING_IN_FILE'>;

/** What became of one inbox file in a run (the job's result, part of the day's summary). */
export interface FileResult {
  file: string;
  /** ignored: not a regular file (a link, a folder), left where it is. */
  status: 'reconciled' | 'skipped' | 'rejected' | 'ignored';
  /** Why it was skipped, rejected or ignored. */
  reason?: string;
  /** reconciled: data records read and their codes. */
  rows?: number;
  counts?: RowCounts;
}

/** Batches in flight while the next rows are parsed: the database works on the other core meanwhile. */
const MAX_IN_FLIGHT = 2;
const INSERT_ROWS = 1000;
const COMPACT_EVERY = 50_000;
const INSERT_BYTES = 2 << 20;
const BYTES_PER_ROW = 128;
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
  if (!isDetailFile(identity.format)) return recordTotalsFile(app.db.pool, request, identity);
  if (!(await fileExists(file))) return { file: fileName, status: 'skipped', reason: 'no longer in the inbox (another run took it)' };

  // Hashed here, not trusted from the scan: the record must describe the bytes actually read. The
  // file's size and time now and after reading tell whether it was still being written meanwhile.
  const hashed = await stat(file);
  const sha256 = await sha256OfFile(file);
  await reconFileHashed(file);
  const archivedName = archivedFileName(identity, sha256);
  const known = await findFileVersion(app.db.pool, identity, sha256);
  if (known?.status === 'done') {
    await archiveFile(inbox, fileName, archivedName);
    return { file: fileName, status: 'skipped', reason: 'same content already reconciled' };
  }

  const opened = await openFile(app.db.pool, file, identity);
  if ('rejected' in opened) {
    await rejectFile(inbox, fileName, opened.rejected);
    logger.info({ file: fileName, reason: opened.rejected }, 'reconciliation file rejected');
    return { file: fileName, status: 'rejected', reason: opened.rejected };
  }
  let recorded: Recorded;
  let fileId: number;
  // A 3202 file's rows are answered line by line (SPEC 11).
  let answers: AnswerRows | undefined;
  try {
    answers = identity.format === 'csv' ? undefined : await AnswerRows.create(inbox, archivedName);
    fileId = await startFileVersion(app.db.pool, { identity, fileName, sha256, archivedName, encoding: opened.encoding }, known);
    recorded = await recordRows(app.db.pool, opened, identity, fileId, hashed.size, answers, onProgress);
    await answers?.finish();
  } catch (error) {
    await answers?.abort();
    throw error;
  } finally {
    await opened.close();
  }
  const changed = changeWhileRead(hashed, await stat(file));
  if (changed) {
    // The rows read are not the bytes hashed, and more may still come: record nothing, keep every byte in rejected/.
    await dropUnfinishedFileVersion(app.db.pool, fileId);
    await rejectFile(inbox, fileName, changed);
    logger.warn({ file: fileName, reason: changed }, 'reconciliation file rejected: it changed while it was read');
    return { file: fileName, status: 'rejected', reason: changed };
  }
  // The day's settlements are garbage from here on: return their memory before the reported ids are encoded.
  compactHeap(true);
  const replacedFileId = await inTransaction(app.db.pool, (conn) => finishFileVersion(conn, {
    fileId, identity, rowCount: recorded.rows, counts: recorded.counts, reportedIds: recorded.reported.encode(), reportedCount: recorded.reported.size,
    day: recorded.day && { settlements: recorded.day.settlements, unreportedIds: recorded.day.unreported.encode() },
  }));
  if (replacedFileId !== null) await deleteFileOutcomes(app.db.pool, replacedFileId);
  await archiveFile(inbox, fileName, archivedName);
  const { MISSING_IN_FILE: _, ...counts } = recorded.counts;
  logger.info({ file: fileName, fileId, rows: recorded.rows, replacedFileId, ...counts }, 'reconciliation file recorded');
  return { file: fileName, status: 'reconciled', rows: recorded.rows, counts };
}

/** Why the file is not the one hashed any more, or null. */
function changeWhileRead(hashed: Stats, now: Stats): string | null {
  if (hashed.ino === now.ino && hashed.size === now.size && hashed.mtimeMs === now.mtimeMs) return null;
  return `the file changed while it was being reconciled (${hashed.size} bytes when hashed, ${now.size} after reading): deliver it again once it is complete`;
}

/** The file's checked rows, or the reason the whole file is rejected. */
async function openFile(pool: Pool, file: string, identity: ReconFileName): Promise<FileRows | { rejected: string }> {
  if (!(await institutionExists(pool, identity.fixmedinsCode))) return { rejected: `unknown institution ${identity.fixmedinsCode}` };
  return openRowsInThread(file, identity, undefined, identity.format);
}

interface Recorded {
  rows: number;
  /** First rows of setl_ids that are not the day's settlements (the day's keep theirs in DaySettlements). */
  seen: FirstRows;
  counts: ReconCounts;
  reported: PackedIds;
  /** The day's settlements as read (null: looked up in batches) and those no valid row reported. */
  day: { settlements: number; unreported: PackedIds } | null;
}

/**
 * Judges the file's batches against the ledger and stores the outcomes, a couple of batches in
 * flight (lookups of keys that are not the day's, outcome writes) while the next are parsed.
 * Memory is bounded by the batches in flight, the day's settlements (which also remember the rows
 * that reported them) and the reported ids.
 */
async function recordRows(
  pool: Pool,
  reader: FileRows,
  identity: ReconFileName,
  fileId: number,
  fileBytes: number,
  answers: AnswerRows | undefined,
  onProgress?: (rows: number) => Promise<void>,
): Promise<Recorded> {
  const recorded: Recorded = { rows: 0, seen: new FirstRows(), counts: emptyCounts(), reported: new PackedIds(), day: null };
  const inFlight: Promise<void>[] = [];
  let nextProgress = 100_000;
  let nextCompaction = COMPACT_EVERY;
  // The reading thread, started when the file was opened, reads ahead meanwhile. A day holds about
  // as many settlements as its file has rows (90-100 bytes each): an estimate on the low side sizes
  // the table without wasting slots.
  const day = await loadDaySettlements(pool, identity, Math.round(fileBytes / BYTES_PER_ROW));

  let seq = 0;
  for await (const batch of reader.batches) {
    const batchAnswers = answers && new BatchAnswers(batch);
    const n = seq++;
    const work = resolveRows(pool, batch, day, identity, fileId, recorded, batchAnswers).then(() => answers?.put(n, batchAnswers!.parts()));
    // Awaited below in order; this only stops an early failure from being reported as unhandled.
    work.catch(() => undefined);
    inFlight.push(work);
    while (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
    recorded.rows += batch.size;
    if (recorded.rows >= nextCompaction) {
      nextCompaction += COMPACT_EVERY;
      compactHeap();
    }
    if (onProgress && recorded.rows >= nextProgress) {
      nextProgress += 100_000;
      await onProgress(recorded.rows);
    }
  }
  await Promise.all(inFlight);
  recorded.day = day && { settlements: day.size, unreported: day.unreportedIds() };
  return recorded;
}

function mayBeInLedger(setlId: string): boolean {
  return setlId !== '' && (setlId.length <= LEDGER_KEY_CHARS || [...setlId].length <= LEDGER_KEY_CHARS);
}

async function resolveRows(
  pool: Pool, batch: RowBatch, day: DaySettlements | null, identity: ReconFileName, fileId: number, recorded: Recorded, answers?: BatchAnswers,
): Promise<void> {
  // The day's own settlements come from memory; other keys (another day's or institution's, or none) from the ledger.
  // Runs before the first await, so batches are de-duplicated in file order.
  const found: (LedgerSettlement | undefined)[] = new Array(batch.size);
  const firstRows = new Uint32Array(batch.size);
  /** Rows already counted MATCHED (nearly all of them): judged here without building any object. */
  const matched = new Uint8Array(batch.size);
  const elsewhere = new Set<string>();
  const { rows, valid, acctPay, acctMulaidPay, medfeeSumamt, fundPaySumamt, setlIdText, setlIdEnds, psnNoText, psnNoEnds } = batch.data;
  for (let i = 0; i < batch.size; i++) {
    const start = batch.setlIdStart(i);
    const end = setlIdEnds[i]!;
    const e = start === end || !day ? -1 : day.find(setlIdText, start, end);
    // Invalid rows never count as seen.
    if (valid[i] === 1) firstRows[i] = (e >= 0 ? day!.firstRowOf(e, rows[i]!) : recorded.seen.firstRowOf(batch.setlId(i), rows[i]!)) ?? 0;
    if (
      e >= 0 && valid[i] === 1 && firstRows[i] === 0
      && day!.matches(e, psnNoText, batch.psnNoStart(i), psnNoEnds[i]!, acctPay[i]!, acctMulaidPay[i]!, medfeeSumamt[i]!, fundPaySumamt[i]!)
    ) {
      // judgeRow's MATCHED: a valid first row, its settlement of the file's own day and institution, same patient and amounts.
      matched[i] = 1;
      recorded.counts.MATCHED++;
      recorded.reported.add(day!.id(e));
      answers?.matched(i, day!.knowsFundPay(e) ? undefined : day!.settlement(e, batch.setlId(i), batch.psnNo(i)));
    } else if (e >= 0) {
      found[i] = day!.settlement(e, batch.setlId(i), batch.psnNo(i));
    } else {
      const setlId = batch.setlId(i);
      if (mayBeInLedger(setlId)) elsewhere.add(setlId);
    }
  }
  const ledger = elsewhere.size > 0 ? await findLedgerSettlements(pool, [...elsewhere], identity) : null;

  let outcomes: OutcomeRow[] = [];
  let bytes = 0;
  for (let i = 0; i < batch.size; i++) {
    if (matched[i] === 1) continue;
    const setlId = batch.setlId(i);
    const check = batch.check(i, identity);
    const firstRow = firstRows[i] === 0 ? undefined : firstRows[i];
    const settlement = found[i] ?? (setlId === '' ? undefined : ledger?.get(setlId));
    const { code, detail } = judgeRow(check, firstRow, settlement);
    recorded.counts[code]++;
    answers?.judged(i, code, settlement);
    if (reportsSettlement(check, firstRow, settlement, identity)) recorded.reported.add(settlement!.id);
    if (code === 'MATCHED') continue;
    // The file side comes from a valid row only; the ledger side whenever the setl_id is in the ledger.
    const fileSide = check.valid ? check.row : null;
    outcomes.push({
      businessDate: identity.businessDate, fixmedinsCode: identity.fixmedinsCode, fileId, rowNo: rows[i]!, setlId, code,
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
