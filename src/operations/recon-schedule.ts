import type { RowDataPacket } from 'mysql2/promise';
import type { App } from '../app.ts';
import { env } from '../config/env.ts';
import { previousDay } from '../domain/time.ts';
import { logger } from '../logger.ts';
import type { JobPayload } from '../queue/catalog.ts';
import { startReconRun, type DayResult } from '../recon/reconcile-day.service.ts';
import { finishScheduleRun } from './schedule-runs.repository.ts';

/** The nightly tick reconciles the business day before the tick's Shanghai date. */
export const reconDayOfTick = (tick: string) => previousDay(tick.slice(0, 10));

/**
 * Starts the nightly tick's reconciliation under a job id of the tick's own (not as a BullMQ child:
 * runs of a day are deduplicated, and BullMQ refuses deduplication together with a parent); the
 * tick looks again until that job has finished. If an operator's run of that day is under way, the
 * tick's run waits for it to end: the operator's run may have listed the inbox before files that
 * arrived since.
 */
export async function startScheduledRecon(app: App, payload: JobPayload<'schedule-tick'>): Promise<void> {
  const businessDate = reconDayOfTick(payload.tick);
  const started = await startReconRun(app, { businessDate, inbox: env().INBOX_DIR, scheduleRunId: payload.scheduleRunId });
  if (started.joined) logger.info({ scheduleRunId: payload.scheduleRunId, businessDate, running: started.jobId }, 'a reconciliation of the day is under way; the tick runs its own after it');
}

/** Records the nightly tick's summary once its reconciliation has finished. */
export async function finishReconTick(app: App, payload: JobPayload<'schedule-tick'>, result: DayResult) {
  const summary = { date: result.businessDate, files: result.files.length, institutions: result.institutions, discrepancies: result.discrepancies, report: result.report };
  await finishScheduleRun(app.db.pool, payload.scheduleRunId, summary);
  logger.info({ scheduleRunId: payload.scheduleRunId, ...summary }, 'reconciliation tick finished');
  return summary;
}

export interface ReconRecovery {
  /** Business days whose reconciliation was started again because its files were left half done with no job. */
  restartedDays: string[];
}

const UNDER_WAY_OR_FAILED = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

/**
 * Reconciliation leaves a trace in MySQL once a file is being processed (recon_files 'processing').
 * A day with such files and no reconcile-day job under way lost its job: run the day again (it
 * takes the half-done files over and skips what is done). A day whose run failed is left to an
 * operator, or the sweeper would re-run a failing file every interval. Files are read from the
 * configured INBOX_DIR.
 */
export async function recoverRecon(app: App, minAgeSeconds: number): Promise<ReconRecovery> {
  const [rows] = await app.db.pool.query<RowDataPacket[]>(
    "SELECT DISTINCT business_date FROM recon_files WHERE status = 'processing' AND started_at <= NOW() - INTERVAL ? SECOND ORDER BY business_date",
    [minAgeSeconds],
  );
  if (rows.length === 0) return { restartedDays: [] };
  const jobs = await app.queues.get('recon').getJobs([...UNDER_WAY_OR_FAILED]);
  const busy = new Set(jobs.filter((j) => j?.name === 'reconcile-day').map((j) => (j.data as { businessDate: string }).businessDate));
  const restartedDays: string[] = [];
  for (const row of rows) {
    const businessDate = row.business_date as string;
    if (busy.has(businessDate)) continue;
    // Deduplicated by day: if a run started meanwhile, this joins it instead of starting another.
    await startReconRun(app, { businessDate, inbox: env().INBOX_DIR });
    restartedDays.push(businessDate);
  }
  return { restartedDays };
}
