import { DelayedError, UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import type { App } from '../app.ts';
import { countOrders } from '../campaign/campaign.repository.ts';
import { enqueueRun, requestRun, runJobId } from '../campaign/campaign.service.ts';
import { findRunByOrigin } from '../campaign/runs.queries.ts';
import { env } from '../config/env.ts';
import type { ShanghaiTime } from '../domain/time.ts';
import { logger } from '../logger.ts';
import type { JobPayload } from '../queue/catalog.ts';
import { runScheduledRecon } from './recon-schedule.ts';
import { claimTick, finishScheduleRun, openCampaignIds, ticksOfSchedule } from './schedule-runs.repository.ts';
import { tickJobId, tickOf, ticksBetween, type ScheduleDefinition, type ScheduleName } from './schedules.ts';


export const dailyJobId = (scheduleRunId: number, campaignId: number) => `daily-${scheduleRunId}-${campaignId}`;

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
  const jobId = tickJobId(schedule, tick);
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

export async function handleScheduleTick(app: App, payload: JobPayload<'schedule-tick'>, job: Job, token: string | undefined) {
  if (payload.schedule === 'recon') return handleReconTick(app, payload, job, token);
  return handleCampaignTick(app, payload, job, token);
}

interface ChildOutcome {
  jobId: string;
  state: string;
  result?: unknown;
  failedReason?: string;
}

async function childOutcomes(app: App, queue: 'schedules' | 'campaigns', jobIds: readonly string[]): Promise<ChildOutcome[]> {
  return Promise.all(jobIds.map(async (jobId) => {
    const child = await app.queues.get(queue).getJob(jobId);
    if (!child) return { jobId, state: 'missing' };
    const state = await child.getState();
    return { jobId, state, result: child.returnvalue ?? undefined, failedReason: child.failedReason || undefined };
  }));
}

/**
 * A step job whose work is not finished but that has no child to wait for (Redis lost part of the
 * flow, or it waits on work it cannot be the parent of): look again later instead of spinning or
 * giving up. The pause grows with the job's age, from 1 s to 30 s, so short work is seen finished
 * soon and long work is not polled often.
 */
async function recheckLater(job: Job, token: string | undefined): Promise<never> {
  const delay = Math.min(30_000, Math.max(1000, (Date.now() - job.timestamp) / 10));
  await job.moveToDelayed(Date.now() + delay, token);
  throw new DelayedError();
}

/**
 * The daily campaign tick: one `campaign-daily` child per campaign whose window holds the tick's
 * Shanghai date. A failing campaign does not hold up the others (its failure is recorded in the
 * tick's summary and kept in the failed list).
 */
async function handleCampaignTick(app: App, payload: JobPayload<'schedule-tick'>, job: Job, token: string | undefined) {
  const date = payload.tick.slice(0, 10);
  const campaignIds = await openCampaignIds(app.db.pool, date);
  const queue = app.queues.get('schedules');
  const jobIds = campaignIds.map((campaignId) => dailyJobId(payload.scheduleRunId, campaignId));
  for (const [i, campaignId] of campaignIds.entries()) {
    // An existing child is left alone: re-adding a failed one would make this job wait for it forever.
    if (await queue.getJob(jobIds[i]!)) continue;
    await app.queues.add('campaign-daily', { scheduleRunId: payload.scheduleRunId, campaignId, tick: payload.tick }, {
      jobId: jobIds[i]!, parent: { id: job.id!, queue: job.queueQualifiedName }, ignoreDependencyOnFailure: true,
    });
  }
  if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
  const outcomes = await childOutcomes(app, 'schedules', jobIds);
  if (outcomes.some((o) => o.state !== 'completed' && o.state !== 'failed')) return recheckLater(job, token);
  const summary = {
    date,
    campaigns: campaignIds.map((campaignId, i) => ({ campaignId, state: outcomes[i]!.state, ...(outcomes[i]!.failedReason ? { reason: outcomes[i]!.failedReason } : {}) })),
  };
  await finishScheduleRun(app.db.pool, payload.scheduleRunId, summary);
  logger.info({ jobId: job.id, scheduleRunId: payload.scheduleRunId, campaigns: campaignIds.length }, 'campaign tick finished');
  return summary;
}

/**
 * One open campaign's daily work: `campaign run` (plans new beneficiaries, charges pending orders),
 * and only once it has finished, a retry of INSUFFICIENT_BALANCE orders, so pending orders are
 * charged before retried ones draw on the same accounts. The step reads where it is from MySQL
 * (the runs it started carry this tick's origin), so a restart, a redelivery or a re-enqueue after
 * Redis lost the job starts nothing twice.
 */
export async function handleCampaignDaily(app: App, payload: JobPayload<'campaign-daily'>, job: Job, token: string | undefined) {
  const origin = scheduleOrigin(payload.scheduleRunId);
  const parent = { id: job.id!, queue: job.queueQualifiedName };
  const runIds: Record<'run' | 'retry', number> = { run: 0, retry: 0 };
  for (const kind of ['run', 'retry'] as const) {
    const existing = await findRunByOrigin(app.db.pool, payload.campaignId, kind, origin);
    if (existing?.finished) {
      runIds[kind] = existing.id;
      continue;
    }
    if (!existing) {
      const code = kind === 'retry' ? 'INSUFFICIENT_BALANCE' : undefined;
      runIds[kind] = (await requestRun(app, { campaignId: payload.campaignId, kind, code, requestedBy: 'scheduler', origin }, { parent })).runId;
    } else {
      runIds[kind] = existing.id;
      const child = await app.queues.get('campaigns').getJob(runJobId(existing.id));
      if (!child) await enqueueRun(app, existing, parent);
      else if (await child.isFailed()) throw new UnrecoverableError(`campaign run ${existing.id} failed: ${child.failedReason}`);
    }
    if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
    const after = await findRunByOrigin(app.db.pool, payload.campaignId, kind, origin);
    if (!after?.finished) return recheckLater(job, token);
  }
  const orders = await countOrders(app.db.pool, payload.campaignId);
  logger.info({ jobId: job.id, campaignId: payload.campaignId, runId: runIds.run, retryRunId: runIds.retry }, 'daily campaign run finished');
  return { campaignId: payload.campaignId, runId: runIds.run, retryRunId: runIds.retry, orders };
}

/** The nightly tick: reconciles the business day before the tick's Shanghai date. */
async function handleReconTick(app: App, payload: JobPayload<'schedule-tick'>, job: Job, token: string | undefined) {
  const summary = await runScheduledRecon(app, { scheduleRunId: payload.scheduleRunId, tick: payload.tick, job, recheckLater: () => recheckLater(job, token) });
  await finishScheduleRun(app.db.pool, payload.scheduleRunId, summary);
  logger.info({ jobId: job.id, scheduleRunId: payload.scheduleRunId, ...summary }, 'reconciliation tick finished');
  return summary;
}
