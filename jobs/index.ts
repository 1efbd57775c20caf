import type { JobHandlers } from '../src/queue/workers.ts';
import { handleCampaignRunJob } from './campaign-run.ts';
import { handlePayOrders } from './pay-orders.ts';

/** Every job of the catalog mapped to its handler (a missing one does not compile). */
export const handlers: JobHandlers = {
  'campaign-run': handleCampaignRunJob,
  'pay-orders': handlePayOrders,
};
