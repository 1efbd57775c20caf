import type { RowDataPacket } from 'mysql2/promise';
import type { App } from '../app.ts';
import { countOrders, listCampaigns } from '../campaign/campaign.repository.ts';
import { listUnfinishedRuns } from '../campaign/runs.queries.ts';
import { formatInstant, shanghaiToday, withOffset } from '../domain/time.ts';
import { QUEUE_NAMES, type QueueName } from '../queue/catalog.ts';
import { recentScheduleRuns, type ScheduleRunRow } from './schedule-runs.repository.ts';

const JOB_STATES = ['waiting', 'active', 'delayed', 'waiting-children', 'prioritized', 'completed', 'failed', 'paused'] as const;

export interface QueueStatus {
  queue: QueueName;
  counts: Record<(typeof JOB_STATES)[number], number>;
}

export interface CampaignProgress {
  id: number;
  year: number;
  province: string;
  window: string;
  mode: string;
  /** The Shanghai date today lies in the window: the daily schedule runs it. */
  open: boolean;
  orders: number;
  byStatus: Record<'pending' | 'paid' | 'failed' | 'skipped' | 'refunded', number>;
  byFailureCode: Record<string, number>;
  /** Fen collected so far. */
  collected: number;
  unfinishedRuns: number;
}

export interface FailedJob {
  queue: QueueName;
  id: string;
  name: string;
  reason: string;
  attempts: number;
  failedAt: string | null;
}

export interface ReconDayStatus {
  businessDate: string;
  runs: number;
  lastRunAt: string;
  summary: unknown;
}

export interface StatusReport {
  queues: QueueStatus[];
  campaigns: CampaignProgress[];
  schedules: ScheduleRunRow[];
  /** Null when this installation has no reconciliation tables. */
  reconciliation: ReconDayStatus[] | null;
  failedJobs: FailedJob[];
}

export async function queueStatus(app: App): Promise<QueueStatus[]> {
  return Promise.all(QUEUE_NAMES.map(async (queue) => {
    const counts = await app.queues.get(queue).getJobCounts(...JOB_STATES);
    return { queue, counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as QueueStatus['counts'] };
  }));
}

export async function failedJobs(app: App, perQueue = 50): Promise<FailedJob[]> {
  const lists = await Promise.all(QUEUE_NAMES.map(async (queue) => {
    const jobs = await app.queues.get(queue).getFailed(0, perQueue - 1);
    return jobs.filter(Boolean).map((job) => ({
      queue, id: job.id ?? '', name: job.name, reason: job.failedReason, attempts: job.attemptsMade,
      failedAt: job.finishedOn ? formatInstant(new Date(job.finishedOn)) : null,
    }));
  }));
  return lists.flat();
}

export async function campaignProgress(app: App): Promise<CampaignProgress[]> {
  const today = shanghaiToday();
  const unfinished = await listUnfinishedRuns(app.db.pool);
  return Promise.all((await listCampaigns(app.db.pool)).map(async (c) => {
    const counts = await countOrders(app.db.pool, c.id);
    const byStatus = { pending: 0, paid: 0, failed: 0, skipped: 0, refunded: 0 };
    const byFailureCode: Record<string, number> = {};
    let collected = 0;
    for (const row of counts) {
      byStatus[row.status as keyof typeof byStatus] += row.orders;
      if (row.failureCode) byFailureCode[row.failureCode] = (byFailureCode[row.failureCode] ?? 0) + row.orders;
      if (row.status === 'paid') collected += row.premium;
    }
    return {
      id: c.id, year: c.year, province: c.province, window: `${c.windowStart}..${c.windowEnd}`, mode: c.mode,
      open: c.windowStart <= today && today <= c.windowEnd,
      orders: counts.reduce((n, r) => n + r.orders, 0), byStatus, byFailureCode, collected,
      unfinishedRuns: unfinished.filter((r) => r.campaignId === c.id).length,
    };
  }));
}

/** The last reconciliation of each recent business day, if reconciliation is installed. */
export async function reconStatus(app: App, days = 7): Promise<ReconDayStatus[] | null> {
  const [[exists]] = await app.db.pool.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'recon_days'",
  );
  if (Number(exists!.n) === 0) return null;
  const [rows] = await app.db.pool.query<RowDataPacket[]>(
    'SELECT business_date, runs, last_run_at, summary FROM recon_days ORDER BY business_date DESC LIMIT ?',
    [days],
  );
  return rows.map((r) => ({
    businessDate: r.business_date, runs: r.runs, lastRunAt: withOffset(r.last_run_at),
    summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary ?? null,
  }));
}

export async function collectStatus(app: App): Promise<StatusReport> {
  const [queues, campaigns, schedules, reconciliation, failed] = await Promise.all([
    queueStatus(app), campaignProgress(app), recentScheduleRuns(app.db.pool, 10), reconStatus(app), failedJobs(app),
  ]);
  // Times for people carry their offset; the rows keep bare business time, which is what they are keyed by.
  const ticks = schedules.map((s) => ({
    ...s, tick: withOffset(s.tick), createdAt: withOffset(s.createdAt), finishedAt: s.finishedAt === null ? null : withOffset(s.finishedAt),
  }));
  return { queues, campaigns, schedules: ticks, reconciliation, failedJobs: failed };
}
