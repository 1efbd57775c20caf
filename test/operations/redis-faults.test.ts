import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { enqueueTick } from '../../src/operations/schedule.service.ts';
import { addCampaign } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { eventually, exited, runCli, startCliLogged } from '../support/process.ts';
import { expectEveryOrderPaidOnce, orderCounts, seedFamilies } from '../support/province.ts';
import { usePrivateRedis } from '../support/redis-server.ts';

const db = await useTestDb('ops_redis_faults');
const pool = db.pool;
// FLUSHALL and restarts hit this file's own Redis, never the one other test files share.
const redis = await usePrivateRedis();
const app = createApp({ databaseUrl: db.url, redisUrl: redis.url, queuePrefix: 'pw' });
afterAll(() => app.close());
const processEnv = {
  DATABASE_URL: db.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'pw', CHUNK_SIZE: '10', WORKER_CONCURRENCY: '2',
  LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000',
};

beforeEach(async () => {
  for (const table of ['schedule_runs', 'operator_actions', 'ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
  await app.redis.flushall();
});

async function startCampaign(families: number): Promise<{ campaignId: number; runId: number; jobId: string }> {
  await seedFamilies(pool, families);
  const campaignId = await addCampaign(app, { mode: 'split' });
  return { campaignId, ...(await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' })) };
}

async function underWay(campaignId: number): Promise<void> {
  await eventually(async () => {
    const c = await orderCounts(pool, campaignId);
    return c.done > 200 && c.pending > 1000;
  }, undefined, 'the run to be under way');
}

async function completed(jobId: string): Promise<void> {
  await eventually(async () => (await (await app.queues.get('campaigns').getJob(jobId))?.getState()) === 'completed', undefined, `${jobId} to complete`);
}


describe('Redis loses the queues mid-campaign', () => {
  it('FLUSHALL: `campaign resume` re-enqueues the unfinished run, which pays the rest and nothing twice', async () => {
    const { campaignId, runId, jobId } = await startCampaign(1500);
    // The sweeper is pushed out of the way so that resume is what recovers.
    const worker = startCliLogged(['worker'], { ...processEnv, SWEEP_INTERVAL_MS: '600000' });
    try {
      await underWay(campaignId);
      await app.redis.flushall();
      expect(await app.queues.get('campaigns').getJob(jobId)).toBeUndefined();

      const resumed = await runCli(['campaign', 'resume', String(campaignId), '--json', '--operator', 'night-shift'], processEnv);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ campaign_id: campaignId, requeued_runs: [runId], new_run_id: null, job_ids: [jobId] });
      await completed(jobId);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child)).toBe(0);
    }
    await expectEveryOrderPaidOnce(pool, campaignId, 3000);
    const [actions] = await pool.query<RowDataPacket[]>('SELECT operator, source, action, campaign_run_id, orders_touched FROM operator_actions');
    expect(actions).toEqual([{ operator: 'night-shift', source: 'cli', action: 'campaign.resume', campaign_run_id: runId, orders_touched: expect.any(Number) }]);
    expect(actions[0]!.orders_touched).toBeGreaterThan(0);
  });

  it('restarted without persistence: the worker\'s sweeper finds the run without a job and finishes it', async () => {
    const { campaignId, jobId } = await startCampaign(1500);
    const worker = startCliLogged(['worker'], { ...processEnv, SWEEP_INTERVAL_MS: '1000' });
    try {
      await underWay(campaignId);
      await redis.restartEmpty();
      await completed(jobId);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child)).toBe(0);
    }
    expect(worker.log()).toContain('sweeper re-enqueued work whose jobs had vanished from Redis');
    await expectEveryOrderPaidOnce(pool, campaignId, 3000);
  });

  it('FLUSHALL during a scheduled daily run: the sweeper re-enqueues the tick, which finds its run in MySQL and still retries only after it', async () => {
    await seedFamilies(pool, 1500);
    const campaignId = await addCampaign(app, { mode: 'split', windowStart: '2026-01-01', windowEnd: '2099-12-31' });
    const scheduleRunId = await enqueueTick(app, 'campaign', '2026-11-23 03:30:00', 'cron');
    const worker = startCliLogged(['worker'], { ...processEnv, SWEEP_INTERVAL_MS: '1000' });
    try {
      await underWay(campaignId);
      await app.redis.flushall();
      await eventually(async () => {
        const [[row]] = await pool.query<RowDataPacket[]>('SELECT finished_at FROM schedule_runs WHERE id = ?', [scheduleRunId]);
        return row!.finished_at;
      }, undefined, 'the tick to finish');
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child)).toBe(0);
    }
    expect(worker.log()).toContain('sweeper re-enqueued work whose jobs had vanished from Redis');
    const [runs] = await pool.query<RowDataPacket[]>('SELECT kind, created_at, finished_at FROM campaign_runs ORDER BY id');
    expect(runs.map((r) => r.kind)).toEqual(['run', 'retry']);
    expect(runs[1]!.created_at >= runs[0]!.finished_at).toBe(true);
    await expectEveryOrderPaidOnce(pool, campaignId, 3000);
  });
});
