import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { handlers } from '../../jobs/index.ts';
import { createApp, type App } from '../../src/app.ts';
import { insertCampaign, type CampaignRow } from '../../src/campaign/campaign.repository.ts';
import { requestRun, type RunRequest } from '../../src/campaign/campaign.service.ts';
import { runUntilFinished } from '../../jobs/wait.ts';

/** An app on the given test database with a queue prefix of its own; its keys are removed after the file. */
export function useTestApp(databaseUrl: string): App & { prefix: string } {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const app = createApp({ databaseUrl, queuePrefix: prefix });
  afterAll(async () => {
    const keys = await app.redis.keys(`${prefix}:*`);
    if (keys.length > 0) await app.redis.del(...keys);
    await app.close();
  });
  return Object.assign(app, { prefix });
}

export const PREMIUMS = { adult: 40000, minor: 40000, student: 40000, senior: 40000 };

let year = 2000;
export async function addCampaign(app: App, overrides: Partial<Omit<CampaignRow, 'id'>> = {}): Promise<number> {
  return insertCampaign(app.db.pool, {
    year: ++year, province: '51', windowStart: '2026-09-01', windowEnd: '2026-12-31', mode: 'single', premiums: PREMIUMS, ...overrides,
  });
}

/** Runs a campaign run or retry to the end in this process, like `--wait`. */
export async function runToEnd(app: App, request: Omit<RunRequest, 'requestedBy'>): Promise<void> {
  const { jobId } = await requestRun(app, { ...request, requestedBy: 'test' });
  await runUntilFinished(app, handlers, 'campaigns', jobId);
}
