import { handleCampaignDaily } from '../src/operations/schedule.service.ts';
import type { JobHandler } from '../src/queue/workers.ts';

export const handleCampaignDailyJob: JobHandler<'campaign-daily'> = (payload, { app, job, token }) => handleCampaignDaily(app, payload, job, token);
