import { describe, expect, it } from 'vitest';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { eventually, exited, runCli, startCli } from '../support/process.ts';
import { expectEveryOrderPaidOnce, orderCounts, seedFamilies } from '../support/province.ts';

const db = await useTestDb('campaign_resume_wait');
const app = useTestApp(db.url);

describe('campaign resume --wait after the only worker was killed', () => {
  it('runs the campaign\'s unfinished run here to the end, says so, and every order is paid exactly once', async () => {
    await seedFamilies(db.pool, 1000);
    const campaignId = await addCampaign(app, { mode: 'split' });
    const env = {
      DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, CHUNK_SIZE: '10', WORKER_CONCURRENCY: '2',
      LOCK_DURATION_MS: '1500', STALLED_INTERVAL_MS: '1000', SWEEP_INTERVAL_MS: '600000',
    };
    const { runId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
    const worker = startCli(['worker'], env);
    await eventually(async () => {
      const c = await orderCounts(db.pool, campaignId);
      return c.done > 100 && c.pending > 500;
    }, 60_000, 'the run to be under way');
    worker.kill('SIGKILL');
    await exited(worker);
    // Its jobs are still in Redis, held by a worker that no longer exists.
    expect(await (await app.queues.get('campaigns').getJob(`campaign-run-${runId}`))?.getState()).not.toBe('completed');

    const resumed = await runCli(['campaign', 'resume', String(campaignId), '--wait', '--json', '--operator', 'night-shift'], env);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({ campaign_id: campaignId, requeued_runs: [], new_run_id: null, unfinished_runs: [runId], waited: true });
    expect(report.orders).toEqual([{ status: 'paid', failure_code: null, orders: 2000, premium: '800000.00' }]);
    await expectEveryOrderPaidOnce(db.pool, campaignId, 2000);
    expect(await runCli(['ledger', 'verify'], env)).toMatchObject({ code: 0 });

    const again = await runCli(['campaign', 'resume', String(campaignId), '--wait'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to resume: no unfinished run');
  });
});
