import { UnrecoverableError } from 'bullmq';
import { enqueueRun } from '../src/campaign/campaign.service.ts';
import { DAILY_STEPS, dailyRun, finishCampaignDaily, startDailyRun, type DailyStep } from '../src/operations/schedule.service.ts';
import { jobCatalog } from '../src/queue/catalog.ts';
import { awaitChildren, parentOf, recheckLater } from './flows.ts';
import type { JobHandler } from './workers.ts';

/** One open campaign's daily work: its run, then (once that has finished) a retry of INSUFFICIENT_BALANCE orders, each as a child. */
export const handleCampaignDailyJob: JobHandler<'campaign-daily'> = async (payload, context) => {
  const { app, job } = context;
  const parent = parentOf(job);
  const runIds: Record<DailyStep, number> = { run: 0, retry: 0 };
  for (const step of DAILY_STEPS) {
    const existing = await dailyRun(app, payload, step);
    if (existing?.finished) {
      runIds[step] = existing.id;
      continue;
    }
    if (!existing) {
      runIds[step] = await startDailyRun(app, payload, step, parent);
    } else {
      runIds[step] = existing.id;
      const child = await app.queues.get('campaigns').getJob(jobCatalog['campaign-run'].jobId(existing.id));
      if (!child) await enqueueRun(app, existing, parent);
      else if (await child.isFailed()) throw new UnrecoverableError(`campaign run ${existing.id} failed: ${child.failedReason}`);
    }
    await awaitChildren(context);
    if (!(await dailyRun(app, payload, step))?.finished) return recheckLater(context);
  }
  return finishCampaignDaily(app, payload, runIds);
};
