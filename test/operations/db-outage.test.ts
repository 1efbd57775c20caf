import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { recreateDatabase } from '../../src/db/migrate.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { installDatadir, MariadbServer, serverScratchDir } from '../support/mariadb-server.ts';
import { eventually, exited, startCliLogged } from '../support/process.ts';
import { expectEveryOrderPaidOnce, orderCounts, seedFamilies } from '../support/province.ts';
import { sparePort } from '../support/ports.ts';

// A database server of this file's own: the test kills it.
const scratch = serverScratchDir('outage');
const server = new MariadbServer(path.join(scratch.dir, 'data'), await sparePort());
installDatadir(server.datadir);
server.start();
afterAll(async () => {
  await server.kill();
  scratch.cleanup();
});
await server.waitReady();
const url = `mysql://root@127.0.0.1:${server.port}/pw_outage`;
await recreateDatabase(url);
const app = useTestApp(url);
const db = app.db;

/** Lines of a JSON log whose message is `msg`. */
function count(log: string, msg: string): number {
  return log.split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
}

describe('a database outage far longer than the jobs\' retry budget', () => {
  it('pauses the worker instead of failing jobs, and the run finishes by itself once the database is back', async () => {
    await seedFamilies(db.pool, 300);
    const campaignId = await addCampaign(app, { mode: 'split' });
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
    // Scaled down: two attempts 20 ms apart would fail every chunk within a second of the outage;
    // probes start at 50 ms and double up to 400 ms, the production settings' 1 s .. 30 s in miniature.
    const worker = startCliLogged(['worker'], {
      DATABASE_URL: url, QUEUE_PREFIX: app.prefix, CHUNK_SIZE: '10', WORKER_CONCURRENCY: '2', LOG_LEVEL: 'info',
      JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '20', OUTAGE_PROBE_MS: '50', OUTAGE_PROBE_MAX_MS: '400', SWEEP_INTERVAL_MS: '600000',
    });
    try {
      await eventually(async () => (await orderCounts(db.pool, campaignId)).done >= 60, 60_000, 'the run to be under way');
      await server.kill();
      // The outage lasts until the worker has probed at its capped pace several times.
      await eventually(async () => count(worker.log(), 'still unreachable') >= 8, 60_000, 'the worker to probe the dead database');
      expect(worker.log()).toContain('database unreachable: this worker takes no jobs until it answers');
      expect(await app.queues.get('payments').getFailedCount()).toBe(0);

      server.start();
      await server.waitReady();
      const run = await app.queues.get('campaigns').getJob(jobId);
      await eventually(async () => ['completed', 'failed'].includes(await run!.getState()), 120_000, 'the run to end');
      expect(await run!.getState()).toBe('completed');
      expect(worker.log()).toContain('database and Redis answer again: worker resumed');
    } finally {
      worker.child.kill('SIGTERM');
      await exited(worker.child);
    }
    expect(await app.queues.get('payments').getFailedCount()).toBe(0);
    await expectEveryOrderPaidOnce(db.pool, campaignId, 600);
    const [[finished]] = (await db.pool.query('SELECT finished_at FROM campaign_runs WHERE campaign_id = ?', [campaignId])) as unknown as [[{ finished_at: string | null }]];
    expect(finished.finished_at).not.toBeNull();
  });
});
