import { handleCampaignRun } from '../src/campaign/campaign.service.ts';
import type { JobHandler } from '../src/queue/workers.ts';

export const handleCampaignRunJob: JobHandler<'campaign-run'> = (payload, { app, job, token }) => handleCampaignRun(app, payload, job, token);
