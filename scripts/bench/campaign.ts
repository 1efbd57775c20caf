import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Job } from 'bullmq';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../../src/app.ts';
import { countOrders, findCampaign, insertCampaign, type CampaignRow } from '../../src/campaign/campaign.repository.ts';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { ROOT } from './paths.ts';

/** What a realistic province charges (yuan 400 / 380), single mode as most regions collect today. */
export const PREMIUMS = { adult: 40000, minor: 38000, student: 38000, senior: 40000 };

export async function createCampaign(app: App, year: number): Promise<CampaignRow> {
  const id = await insertCampaign(app.db.pool, {
    year, province: '51', windowStart: `${year - 1}-09-01`, windowEnd: `${year - 1}-12-31`, mode: 'single', premiums: PREMIUMS,
  });
  return (await findCampaign(app.db.pool, id))!;
}

export interface CampaignResult {
  year: number;
  campaignId: number;
  /** Orders of the campaign, all final when the run returns. */
  orders: number;
  paid: number;
  seconds: number;
}

async function finalCounts(app: App, campaignId: number): Promise<{ orders: number; paid: number }> {
  const counts = await countOrders(app.db.pool, campaignId);
  const pending = counts.filter((c) => c.status === 'pending').reduce((n, c) => n + c.orders, 0);
  if (pending > 0) throw new Error(`campaign ${campaignId} finished with ${pending} orders still pending`);
  return {
    orders: counts.reduce((n, c) => n + c.orders, 0),
    paid: counts.filter((c) => c.status === 'paid').reduce((n, c) => n + c.orders, 0),
  };
}

/**
 * `campaign create` + `campaign run --wait`: the clock runs from creating the campaign until its
 * run job (planning, fan-out and every payment chunk) has finished, the work done by the workers
 * `--wait` starts in this process.
 */
export async function runCampaignInProcess(app: App, year: number): Promise<CampaignResult> {
  const started = performance.now();
  const campaign = await createCampaign(app, year);
  const { jobId } = await requestRun(app, { campaignId: campaign.id, kind: 'run', requestedBy: 'bench' });
  await runUntilFinished(app, handlers, 'campaigns', jobId);
  const seconds = (performance.now() - started) / 1000;
  return { year, campaignId: campaign.id, seconds, ...(await finalCounts(app, campaign.id)) };
}

export interface WorkerProcesses {
  children: ChildProcess[];
  stop(): Promise<void>;
}

/**
 * Starts `premium-worker worker` processes on the bench's database and queue prefix and returns
 * once each one's workers are listening, so their start-up is not part of the measurement.
 */
export async function startWorkerProcesses(app: App, count: number, env: Record<string, string>): Promise<WorkerProcesses> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [...process.execArgv, path.join(ROOT, 'src/cli/main.ts'), 'worker'], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'],
    }));
  const stop = async () => {
    await Promise.all(children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }));
  };
  try {
    const deadline = Date.now() + 60_000;
    const queues = ['campaigns', 'payments'] as const;
    for (;;) {
      const dead = children.find((c) => c.exitCode !== null);
      if (dead) throw new Error(`a worker process exited with code ${dead.exitCode} while starting`);
      const counts = await Promise.all(queues.map((q) => app.queues.get(q).getWorkersCount()));
      if (counts.every((n) => n >= count)) break;
      if (Date.now() > deadline) throw new Error(`worker processes did not start within 60 s (${counts.join('/')} listening)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { children, stop };
}

/** The same campaign run with only `premium-worker worker` processes doing the work: this process enqueues and waits. */
export async function runCampaignOnWorkers(app: App, year: number): Promise<CampaignResult> {
  const events = app.queues.events('campaigns');
  await events.waitUntilReady();
  const started = performance.now();
  const campaign = await createCampaign(app, year);
  const { jobId } = await requestRun(app, { campaignId: campaign.id, kind: 'run', requestedBy: 'bench' });
  const job = (await app.queues.get('campaigns').getJob(jobId)) as Job;
  await job.waitUntilFinished(events);
  const seconds = (performance.now() - started) / 1000;
  return { year, campaignId: campaign.id, seconds, ...(await finalCounts(app, campaign.id)) };
}
