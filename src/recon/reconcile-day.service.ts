import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import type { App } from '../app.ts';
import { env } from '../config/env.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  FILE_NAME_PATTERN, isDetailFile, missingInFileDetail, parseReconFileName, RECON_CODES, type InstitutionCounts,
} from '../domain/reconciliation.ts';
import { logger } from '../logger.ts';
import { jobCatalog, type JobPayload } from '../queue/catalog.ts';
import { archiveFile, listInbox, rejectFile, sha256OfFile } from './inbox.ts';
import {
  countsOfDay, deleteMissingInFile, findFileVersion, insertOutcomes, latestFilesOfDay, ledgerCountsOfDay, ledgerSettlementsPage,
  ledgerSettlementsByIds, recordDayRun, reportedIdsOf, type LatestFile, type MissingSettlement,
} from './recon.repository.ts';
import type { FileResult } from './reconcile-file.service.ts';
import { reportPaths, writeCountsFile, writeReconExport } from './report.ts';
import { compactHeap } from './engine/heap.ts';
import { PackedIdSet } from './engine/packed-ids.ts';
import { answerDetailFiles } from './national/detail-answers.ts';
import { findTotalsVersion } from './national/national.repository.ts';
import { answerTotals } from './national/totals.service.ts';

export interface ReconRunRequest {
  /** YYYY-MM-DD */
  businessDate: string;
  inbox: string;
  /** Default: the OUTBOX_DIR of the worker that writes the reports, read when it writes them. */
  outbox?: string;
  /** The schedule tick asking, if any: its run gets an id of its own, so asking twice enqueues once. */
  scheduleRunId?: number;
}

export interface ReconRunStarted {
  jobId: string;
  /** True when a run of the same day was already under way: the request joined it instead. */
  joined: boolean;
}

/**
 * Enqueues the reconciliation of one business day. Runs of the same day never overlap: while one is
 * under way, another request joins it (BullMQ deduplication by day); once it has finished, a new
 * request starts a new run, which changes only what changed in the inbox or the ledger.
 */
export async function startReconRun(app: App, request: ReconRunRequest): Promise<ReconRunStarted> {
  const spec = jobCatalog['reconcile-day'];
  const jobId = spec.jobId(request);
  const job = await app.queues.add(
    'reconcile-day',
    { businessDate: request.businessDate, inbox: path.resolve(request.inbox), outbox: request.outbox === undefined ? undefined : path.resolve(request.outbox) },
    // Not combinable with a parent job (BullMQ refuses deduplication with one): a caller waits on the job id instead.
    { jobId, deduplication: { id: spec.deduplicationId(request.businessDate) } },
  );
  return { jobId: job.id!, joined: job.id !== jobId };
}

export interface DayResult {
  businessDate: string;
  files: FileResult[];
  institutions: number;
  /** Non-MATCHED outcomes of the day, MISSING_IN_FILE included: the lines of the report. */
  discrepancies: number;
  report: string;
  countsFile: string;
  /** The `.3201.result.txt` and `.3202.result.txt` answers written (SPEC 11). */
  answers: string[];
}

type DayPayload = JobPayload<'reconcile-day'>;

/** A file of the day to reconcile, as the fan-out found it. */
export interface DayFile {
  fileName: string;
  businessDate: string;
  fixmedinsCode: string;
  sha256: string;
}

/**
 * The first step of a day's run: rejects inbox files whose names do not follow the pattern,
 * archives content already reconciled, and hands every remaining file of the day to `addFiles`.
 * Returns the files it dealt with itself, for the summary.
 */
export async function fanOutDay(app: App, payload: DayPayload, addFiles: (files: DayFile[]) => Promise<void>): Promise<DayPayload['settled']> {
  const settled: DayPayload['settled'] = [];
  const files: DayFile[] = [];
  const listing = await listInbox(payload.inbox);
  for (const { name, reason } of listing.ignored) settled.push({ file: name, status: 'ignored', reason });
  for (const name of listing.files) {
    const identity = parseReconFileName(name);
    if (!identity) {
      const reason = `file name does not match ${FILE_NAME_PATTERN}`;
      await rejectFile(payload.inbox, name, reason);
      settled.push({ file: name, status: 'rejected', reason });
      continue;
    }
    if (identity.businessDate !== payload.businessDate) continue;
    const sha256 = await sha256OfFile(path.join(payload.inbox, name));
    const known = isDetailFile(identity.format)
      ? await findFileVersion(app.db.pool, identity, sha256)
      : await findTotalsVersion(app.db.pool, identity, sha256).then((totals) => totals && { ...totals, status: 'done' });
    if (known?.status === 'done') {
      await archiveFile(payload.inbox, name, known.archivedName);
      settled.push({ file: name, status: 'skipped', reason: 'same content already reconciled' });
      continue;
    }
    files.push({ fileName: name, businessDate: identity.businessDate, fixmedinsCode: identity.fixmedinsCode, sha256 });
  }
  await addFiles(files);
  logger.info({ businessDate: payload.businessDate, files: files.length, settled: settled.length }, 'reconciliation fanned out');
  return settled;
}

/**
 * The last step, once every file is reconciled: 3201 totals compared and answered, MISSING_IN_FILE
 * recomputed for the whole day (totals suffice where they balance), 3202 answers and the reports written.
 */
export async function finishDay(pool: Pool, payload: DayPayload, children: readonly FileResult[]): Promise<DayResult> {
  const files = [...payload.settled, ...children].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const outbox = path.resolve(payload.outbox ?? env().OUTBOX_DIR);
  const totalsFiles = await answerTotals(pool, payload.businessDate, outbox);
  await recomputeMissingInFile(pool, payload.businessDate, totalsFiles.balanced);
  const answers = [...totalsFiles.written, ...(await answerDetailFiles(pool, payload.businessDate, payload.inbox, outbox))];
  const counts = await countsOfDay(pool, payload.businessDate);
  const paths = reportPaths(outbox, payload.businessDate);
  const discrepancies = await writeReconExport(pool, payload.businessDate, paths.report);
  await writeCountsFile(paths.counts, payload.businessDate, counts);
  const summary = { institutions: counts.length, discrepancies, ...totals(counts) };
  await recordDayRun(pool, payload.businessDate, summary);
  logger.info({ businessDate: payload.businessDate, ...summary }, 'reconciliation day finished');
  return {
    businessDate: payload.businessDate, files, institutions: counts.length, discrepancies, report: paths.report, countsFile: paths.counts, answers,
  };
}

function totals(counts: readonly InstitutionCounts[]): Record<string, number> {
  return Object.fromEntries(RECON_CODES.map((code) => [code, counts.reduce((sum, c) => sum + c.counts[code], 0)]));
}

const LEDGER_PAGE = 10_000;

/**
 * MISSING_IN_FILE for the whole day, replaced in one transaction: every ledger settlement of the day
 * that no valid row of its own institution's latest file reported, including institutions that
 * sent no file or only a rejected one; except at institutions that sent no detail file and whose
 * 3201 totals balance (`totalsSuffice`: totals suffice, as on the national platform). The ledger only grows, so while it holds as many of the
 * institution's settlements of the day as when the file was reconciled, they are the same ones:
 * none is missing when the file reported that many, otherwise the file's unreported ids are
 * missing and only they are read. Else (the ledger grew, no file, or many missing) the day's
 * settlements are read in setl_id order from the index, a page at a time.
 */
export async function recomputeMissingInFile(pool: Pool, businessDate: string, totalsSuffice: ReadonlySet<string> = new Set()): Promise<void> {
  const ledgerCounts = await ledgerCountsOfDay(pool, businessDate);
  const latest = new Map((await latestFilesOfDay(pool, businessDate)).map((f) => [f.fixmedinsCode, f]));
  await inTransaction(pool, async (conn) => {
    await deleteMissingInFile(conn, businessDate);
    // The next page is read (on other connections) while this one is written.
    const pages = missingInFilePages(pool, businessDate, ledgerCounts, latest, totalsSuffice);
    for (let next = pages.next(); ;) {
      const page = await next;
      if (page.done) break;
      next = pages.next();
      next.catch(() => undefined);
      const { code, detail, missing } = page.value;
      for (let i = 0; i < missing.length; i += 1000) {
        await insertOutcomes(conn, missing.slice(i, i + 1000).map((s) => ({
          businessDate, fixmedinsCode: code, fileId: null, rowNo: null, setlId: s.setlId, code: 'MISSING_IN_FILE' as const,
          fileAcctPay: null, fileAcctMulaidPay: null, settlementId: s.id, ledgerAcctPay: s.acctPay, ledgerAcctMulaidPay: s.acctMulaidPay,
          detail: `${detail} (settled ${s.setlTime})`,
        })));
      }
    }
  });
}

/** The day's unreported settlements, institution by institution, a page at a time. */
async function* missingInFilePages(
  pool: Pool, businessDate: string, ledgerCounts: Map<string, number>, latest: Map<string, LatestFile>, totalsSuffice: ReadonlySet<string>,
): AsyncGenerator<{ code: string; detail: string; missing: MissingSettlement[] }> {
  for (const code of [...ledgerCounts.keys()].sort()) {
    const file = latest.get(code);
    if (!file && totalsSuffice.has(code)) continue;
    const count = ledgerCounts.get(code)!;
    if (file && file.reportedCount === count) continue;
    const detail = missingInFileDetail(file?.fileName ?? null);
    // One query orders them by setl_id, so at most a page of them.
    if (file && file.daySettlements === count && count - file.reportedCount <= LEDGER_PAGE) {
      const unreported = PackedIdSet.decode(await reportedIdsOf(pool, file.fileId, 'unreported_ids'));
      yield { code, detail, missing: await ledgerSettlementsByIds(pool, unreported.toArray()) };
      continue;
    }
    const reported = PackedIdSet.decode(file ? await reportedIdsOf(pool, file.fileId) : null);
    for (let after: string | null = null; ;) {
      const page = await ledgerSettlementsPage(pool, businessDate, code, after, LEDGER_PAGE);
      yield { code, detail, missing: page.filter((s) => !reported.has(s.id)) };
      if (page.length < LEDGER_PAGE) break;
      after = page.at(-1)!.setlId;
      compactHeap();
    }
  }
}

