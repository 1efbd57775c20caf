import type { App } from '../app.ts';
import { findCampaign } from '../campaign/campaign.repository.ts';
import { CampaignNotFoundError, enqueueRun, requestRun } from '../campaign/campaign.service.ts';
import { countPendingOrders, listUnfinishedRuns } from '../campaign/runs.queries.ts';
import { logger } from '../logger.ts';
import { jobCatalog } from '../queue/catalog.ts';
import { recordAction, type Actor } from '../audit/audit.repository.ts';
import { recoverRecon, type ReconRecovery } from './recon-schedule.ts';
import { listUnfinishedScheduleRuns } from './schedule-runs.repository.ts';
import { catchUp, enqueueTickJob } from './schedule.service.ts';

const runJobId = jobCatalog['campaign-run'].jobId;
import type { ScheduleDefinition } from './schedules.ts';

export interface RecoveryReport {
  /** Schedule ticks whose job had vanished and was enqueued again. */
  requeuedTicks: string[];
  /** Campaign runs whose job had vanished and was enqueued again. */
  requeuedRuns: number[];
  /** Scheduled runs left to their tick, which starts them again itself. */
  leftToTick: number[];
  /** Runs whose job failed for good: only an operator's new `campaign run` or `retry` moves their orders. */
  failedRuns: { runId: number; reason: string }[];
  recon: ReconRecovery;
}

const LIVE_PARENT_STATES = new Set(['waiting-children', 'active', 'waiting', 'delayed', 'prioritized']);

/**
 * Finds work MySQL says is unfinished but Redis no longer knows (FLUSHALL, a restart without
 * persistence, a job removed by hand) and enqueues it again under the same job id. Nothing is paid
 * twice: a re-enqueued run selects only orders still pending (or failed, for retries), and charging
 * is guarded by order status. `minAgeSeconds` leaves alone rows whose job is being enqueued right now.
 */
export async function recoverLostWork(app: App, filter: { campaignId?: number; minAgeSeconds?: number } = {}): Promise<RecoveryReport> {
  const report: RecoveryReport = { requeuedTicks: [], requeuedRuns: [], leftToTick: [], failedRuns: [], recon: { restartedDays: [] } };
  const schedules = app.queues.get('schedules');
  const campaigns = app.queues.get('campaigns');

  const unfinishedTicks = await listUnfinishedScheduleRuns(app.db.pool, filter.minAgeSeconds);
  for (const tick of unfinishedTicks) {
    if (await schedules.getJob(tick.jobId)) continue;
    await enqueueTickJob(app, tick);
    report.requeuedTicks.push(tick.jobId);
  }

  for (const run of await listUnfinishedRuns(app.db.pool, filter)) {
    const job = await campaigns.getJob(runJobId(run.id));
    if (job) {
      if (await job.isFailed()) report.failedRuns.push({ runId: run.id, reason: job.failedReason });
      continue;
    }
    const scheduleRunId = run.origin?.startsWith('schedule-') ? Number(run.origin.slice('schedule-'.length)) : null;
    if (scheduleRunId !== null) {
      // A scheduled run is a child of its daily step: attach it there while the step waits, so the
      // INSUFFICIENT_BALANCE retry still comes after it.
      const parentId = jobCatalog['campaign-daily'].jobId(scheduleRunId, run.campaignId);
      const parent = await schedules.getJob(parentId);
      if (parent && LIVE_PARENT_STATES.has(await parent.getState())) {
        await enqueueRun(app, run, { id: parentId, queue: parent.queueQualifiedName });
        report.requeuedRuns.push(run.id);
        continue;
      }
      if (!parent && unfinishedTicks.some((t) => t.id === scheduleRunId)) {
        report.leftToTick.push(run.id);
        continue;
      }
    }
    await enqueueRun(app, run);
    report.requeuedRuns.push(run.id);
  }

  if (filter.campaignId === undefined) report.recon = await recoverRecon(app, filter.minAgeSeconds ?? 0);
  return report;
}

export function somethingRecovered(report: RecoveryReport): boolean {
  return report.requeuedTicks.length + report.requeuedRuns.length + report.recon.restartedDays.length > 0;
}

export interface ResumeReport extends RecoveryReport {
  campaignId: number;
  pendingOrders: number;
  /** A new run, started because pending orders had no unfinished run left to charge them. */
  newRunId: number | null;
  /**
   * Every unfinished run of the campaign that has a job now (re-enqueued, new, or still held by a
   * worker that may have died): what `--wait` runs to the end in process.
   */
  unfinishedRuns: number[];
}

/**
 * `campaign resume`: after Redis lost jobs, puts every unfinished run of the campaign back in the
 * queues, and starts a plain run if pending orders would otherwise wait for nothing.
 */
export async function resumeCampaign(app: App, campaignId: number, actor: Actor): Promise<ResumeReport & { jobIds: string[] }> {
  if (!(await findCampaign(app.db.pool, campaignId))) throw new CampaignNotFoundError(campaignId);
  const recovered = await recoverLostWork(app, { campaignId });
  const pendingOrders = await countPendingOrders(app.db.pool, campaignId);
  const failed = new Set(recovered.failedRuns.map((f) => f.runId));
  const live = (await listUnfinishedRuns(app.db.pool, { campaignId })).filter((r) => r.kind === 'run' && !failed.has(r.id));
  const params = { campaignId, requeuedRuns: recovered.requeuedRuns, requeuedTicks: recovered.requeuedTicks };
  let newRunId: number | null = null;
  if (pendingOrders > 0 && live.length === 0) {
    newRunId = (await requestRun(app, { campaignId, kind: 'run', requestedBy: actor.operator }, { actor, action: 'campaign.resume' })).runId;
  } else {
    await recordAction(app.db.pool, actor, 'campaign.resume', params, recovered.requeuedRuns[0]);
  }
  const unfinishedRuns: number[] = [];
  for (const run of await listUnfinishedRuns(app.db.pool, { campaignId })) {
    if (!failed.has(run.id) && (await app.queues.get('campaigns').getJob(runJobId(run.id)))) unfinishedRuns.push(run.id);
  }
  logger.info({ ...params, newRunId, pendingOrders, unfinishedRuns }, 'campaign resumed');
  const jobIds = [...recovered.requeuedRuns, ...(newRunId ? [newRunId] : [])].map((runId) => runJobId(runId));
  return { ...recovered, campaignId, pendingOrders, newRunId, unfinishedRuns, jobIds };
}

export interface Sweeper {
  stop(): Promise<void>;
}

/**
 * The periodic sweep of worker and scheduler processes: recovers lost work and, in a scheduler,
 * catches up ticks it missed. Runs are never concurrent with themselves; failures (Redis or MySQL
 * down) are logged and tried again at the next interval.
 */
export function startSweeper(app: App, options: { intervalMs: number; schedules?: readonly ScheduleDefinition[] }): Sweeper {
  let running: Promise<void> | null = null;
  const sweep = async () => {
    try {
      const report = await recoverLostWork(app, { minAgeSeconds: 5 });
      if (somethingRecovered(report)) logger.warn({ ...report }, 'sweeper re-enqueued work whose jobs had vanished from Redis');
      // Ticks of the last few seconds belong to the live cron callback.
      if (options.schedules) await catchUp(app, options.schedules, new Date(), 3000);
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'sweep failed; trying again at the next interval');
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => {
      running = null;
    });
  }, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
