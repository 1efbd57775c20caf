import { UnrecoverableError } from 'bullmq';
import { jobCatalog, type JobPayload } from '../src/queue/catalog.ts';
import { finishReconTick, reconDayOfTick, startScheduledRecon } from '../src/operations/recon-schedule.ts';
import { campaignsOfTick, finishCampaignTick } from '../src/operations/schedule.service.ts';
import type { DayResult } from '../src/recon/reconcile-day.service.ts';
import { addChildren, awaitChildren, childStates, recheckLater } from './flows.ts';
import type { JobContext, JobHandler } from './workers.ts';

export const handleScheduleTickJob: JobHandler<'schedule-tick'> = (payload, context) =>
  payload.schedule === 'recon' ? reconTick(payload, context) : campaignTick(payload, context);

/**
 * The daily campaign tick: one `campaign-daily` child per open campaign. A failing campaign does not
 * hold up the others (its failure is recorded in the tick's summary and kept in the failed list).
 */
async function campaignTick(payload: JobPayload<'schedule-tick'>, context: JobContext) {
  const { app } = context;
  const campaignIds = await campaignsOfTick(app, payload);
  const jobIds = campaignIds.map((campaignId) => jobCatalog['campaign-daily'].jobId(payload.scheduleRunId, campaignId));
  const queue = app.queues.get('schedules');
  const toAdd = [];
  for (const [i, campaignId] of campaignIds.entries()) {
    // An existing child is left alone: re-adding a failed one would make this job wait for it forever.
    if (!(await queue.getJob(jobIds[i]!))) toAdd.push({ data: { scheduleRunId: payload.scheduleRunId, campaignId, tick: payload.tick }, jobId: jobIds[i]! });
  }
  await addChildren(context, 'campaign-daily', toAdd, { ignoreDependencyOnFailure: true });
  await awaitChildren(context);
  const states = await childStates(app, 'schedules', jobIds);
  if (states.some((s) => s.state !== 'completed' && s.state !== 'failed')) return recheckLater(context);
  return finishCampaignTick(app, payload, campaignIds.map((campaignId, i) => ({
    campaignId, state: states[i]!.state, ...(states[i]!.failedReason ? { reason: states[i]!.failedReason } : {}),
  })));
}

/** The nightly tick: its own reconciliation run of the day before, looked at again until it has finished. */
async function reconTick(payload: JobPayload<'schedule-tick'>, context: JobContext) {
  const businessDate = reconDayOfTick(payload.tick);
  const own = await context.app.queues.get('recon').getJob(jobCatalog['reconcile-day'].jobId({ businessDate, scheduleRunId: payload.scheduleRunId }));
  if (!own) {
    await startScheduledRecon(context.app, payload);
    return recheckLater(context);
  }
  if (await own.isCompleted()) return finishReconTick(context.app, payload, own.returnvalue as DayResult);
  if (await own.isFailed()) throw new UnrecoverableError(`reconciliation of ${businessDate} failed: ${own.failedReason}`);
  return recheckLater(context);
}
