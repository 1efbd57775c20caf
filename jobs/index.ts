import type { JobHandlers } from './workers.ts';
import { handleCampaignDailyJob } from './campaign-daily.ts';
import { handleCampaignRunJob } from './campaign-run.ts';
import { handlePayOrders } from './pay-orders.ts';
import { handleReconcileDayJob } from './reconcile-day.ts';
import { handleReconcileFile } from './reconcile-file.ts';
import { handleScheduleTickJob } from './schedule-tick.ts';

/** Every job of the catalog mapped to its handler (a missing one does not compile). */
export const handlers: JobHandlers = {
  'campaign-run': handleCampaignRunJob,
  'pay-orders': handlePayOrders,
  'reconcile-day': handleReconcileDayJob,
  'reconcile-file': handleReconcileFile,
  'schedule-tick': handleScheduleTickJob,
  'campaign-daily': handleCampaignDailyJob,
};
