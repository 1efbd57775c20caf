import type { App } from '../app.ts';
import { countOrders } from '../campaign/campaign.repository.ts';
import { requestRun } from '../campaign/campaign.service.ts';
import { findRunByOrigin, type RunRecord } from '../campaign/runs.queries.ts';
import { env } from '../config/env.ts';
import type { ShanghaiTime } from '../domain/time.ts';
import { logger } from '../logger.ts';
import { jobCatalog, type JobPayload } from '../queue/catalog.ts';
import type { ParentRef } from '../queue/queues.ts';
import { claimTick, finishScheduleRun, openCampaignIds, ticksOfSchedule } from './schedule-runs.repository.ts';
import { tickOf, ticksBetween, type ScheduleDefinition, type ScheduleName } from './schedules.ts';

/** Campaign runs a tick started carry this origin: how a restarted step finds them. */
export const scheduleOrigin = (scheduleRunId: number) => `schedule-${scheduleRunId}`;

export async function enqueueTickJob(app: App, run: { id: number; schedule: ScheduleName; tick: ShanghaiTime; jobId: string }): Promise<void> {
  await app.queues.add('schedule-tick', { scheduleRunId: run.id, schedule: run.schedule, tick: run.tick }, { jobId: run.jobId });
}

/**
 * What a cron callback does, and all it does: claim the tick in MySQL and enqueue its job. The
 * claim makes a tick run once however many schedulers fire it; if this process dies between claim
 * and enqueue, the sweeper finds the unfinished row without a job and enqueues it.
 */
export async function enqueueTick(app: App, schedule: ScheduleName, tick: ShanghaiTime, firedBy: 'cron' | 'catch-up'): Promise<number | null> {
  const jobId = jobCatalog['schedule-tick'].jobId(schedule, tick);
  const scheduleRunId = await claimTick(app.db.pool, { schedule, tick, firedBy, jobId });
  if (scheduleRunId === null) {
    logger.debug({ schedule, tick, jobId }, 'tick already claimed by another scheduler');
    return null;
  }
  await enqueueTickJob(app, { id: scheduleRunId, schedule, tick, jobId });
  logger.info({ schedule, tick, jobId, scheduleRunId, firedBy }, 'schedule tick enqueued');
  return scheduleRunId;
}

/**
 * Enqueues the ticks a scheduler missed while it was down (or blocked), within CATCHUP_HOURS: every
 * missed reconciliation day, the latest campaign tick. Ticks newer than `settleMs` are left to the
 * live cron callback. Returns how many ticks this call claimed.
 */
export async function catchUp(app: App, definitions: readonly ScheduleDefinition[], now = new Date(), settleMs = 0): Promise<number> {
  const horizon = new Date(now.getTime() - env().CATCHUP_HOURS * 3600_000);
  let claimed = 0;
  for (const definition of definitions) {
    const candidates = ticksBetween(definition.expression, horizon, new Date(now.getTime() - settleMs), definition.catchUpLimit).map(tickOf);
    if (candidates.length === 0) continue;
    const done = new Set(await ticksOfSchedule(app.db.pool, definition.name, candidates[0]!));
    for (const tick of candidates) {
      if (done.has(tick)) continue;
      if (await enqueueTick(app, definition.name, tick, 'catch-up')) claimed++;
    }
  }
  return claimed;
}

/** The campaigns whose window holds the campaign tick's Shanghai date: one `campaign-daily` each. */
export async function campaignsOfTick(app: App, payload: JobPayload<'schedule-tick'>): Promise<number[]> {
  return openCampaignIds(app.db.pool, payload.tick.slice(0, 10));
}

export interface DailyOutcome {
  campaignId: number;
  state: string;
  reason?: string;
}

/** Records the campaign tick's summary; a failing campaign is listed with its reason, not hidden. */
export async function finishCampaignTick(app: App, payload: JobPayload<'schedule-tick'>, outcomes: readonly DailyOutcome[]) {
  const summary = { date: payload.tick.slice(0, 10), campaigns: outcomes };
  await finishScheduleRun(app.db.pool, payload.scheduleRunId, summary);
  logger.info({ scheduleRunId: payload.scheduleRunId, campaigns: outcomes.length }, 'campaign tick finished');
  return summary;
}

/*
 * One open campaign's daily work: `campaign run` (plans new beneficiaries, charges pending orders),
 * and only once it has finished, a retry of INSUFFICIENT_BALANCE orders, so pending orders are
 * charged before retried ones draw on the same accounts. Where the step is comes from MySQL (the runs
 * it started carry this tick's origin), so a restart, a redelivery or a re-enqueue after Redis lost
 * the job starts nothing twice.
 */
export const DAILY_STEPS = ['run', 'retry'] as const;
export type DailyStep = (typeof DAILY_STEPS)[number];

/** The run this tick started for the step, if it did. */
export async function dailyRun(app: App, payload: JobPayload<'campaign-daily'>, step: DailyStep): Promise<RunRecord | null> {
  return findRunByOrigin(app.db.pool, payload.campaignId, step, scheduleOrigin(payload.scheduleRunId));
}

/** Starts the step's run as a child of `parent`; returns its id. */
export async function startDailyRun(app: App, payload: JobPayload<'campaign-daily'>, step: DailyStep, parent: ParentRef): Promise<number> {
  const code = step === 'retry' ? 'INSUFFICIENT_BALANCE' : undefined;
  const origin = scheduleOrigin(payload.scheduleRunId);
  return (await requestRun(app, { campaignId: payload.campaignId, kind: step, code, requestedBy: 'scheduler', origin }, { parent })).runId;
}

export async function finishCampaignDaily(app: App, payload: JobPayload<'campaign-daily'>, runIds: Record<DailyStep, number>) {
  const orders = await countOrders(app.db.pool, payload.campaignId);
  logger.info({ campaignId: payload.campaignId, runId: runIds.run, retryRunId: runIds.retry }, 'daily campaign run finished');
  return { campaignId: payload.campaignId, runId: runIds.run, retryRunId: runIds.retry, orders };
}
