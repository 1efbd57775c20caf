import { fanOutRun, finishCampaignRun, type ChunkResult } from '../src/campaign/campaign.service.ts';
import { jobCatalog } from '../src/queue/catalog.ts';
import { addChildren, fanOutThenFinish } from './flows.ts';
import type { JobHandler } from './workers.ts';

/** Plans or selects the run's orders, one pay-orders child per chunk; once all are charged, the run's summary. */
export const handleCampaignRunJob: JobHandler<'campaign-run'> = (payload, context) =>
  fanOutThenFinish(
    context,
    payload,
    async () => {
      await fanOutRun(context.app, payload, (chunks) =>
        addChildren(context, 'pay-orders', chunks.map((orderIds) => ({
          data: { runId: payload.runId, campaignId: payload.campaignId, retry: payload.kind === 'retry', orderIds },
          jobId: jobCatalog['pay-orders'].jobId(payload.runId, orderIds),
        })), { failParentOnFailure: true }));
      return {};
    },
    (_, children) => finishCampaignRun(context.app, payload, children as (ChunkResult | null)[]),
  );
