import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { beforeEach, describe, expect, it } from 'vitest';
import { handlers } from '../../jobs/index.ts';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { expectLedgerConsistent, ledgerCount } from '../support/orders.ts';
import { eventually, exited, PATIENCE_MS, startCliLogged } from '../support/process.ts';
import { expectEveryOrderPaidOnce, orderCounts, seedFamilies } from '../support/province.ts';

const db = await useTestDb('ops_worker_faults');
const app = useTestApp(db.url);
const pool = db.pool;
const workerEnv = {
  DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, CHUNK_SIZE: '10', WORKER_CONCURRENCY: '2',
  // Locks long enough that a worker starved by a loaded machine does not lose its job by accident.
  LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000', SWEEP_INTERVAL_MS: '600000',
};

/** A paused payment transaction (FAULT_PAYMENT_HOLD_MS/FREEZE_MS) goes on once the test has seen what it waits for. */
function releaseSwitch(): { env: { FAULT_PAYMENT_RELEASE_FILE: string }; release: () => void } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fault-')), 'release');
  return { env: { FAULT_PAYMENT_RELEASE_FILE: file }, release: () => writeFileSync(file, '') };
}

beforeEach(async () => {
  for (const table of ['operator_actions', 'ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
  const keys = await app.redis.keys(`${app.prefix}:*`);
  if (keys.length > 0) await app.redis.del(...keys);
});

async function runState(jobId: string): Promise<string | null> {
  return eventually(async () => {
    const state = await (await app.queues.get('campaigns').getJob(jobId))?.getState();
    return state === 'completed' || state === 'failed' ? state : null;
  }, undefined, `run ${jobId} to finish`);
}

/** The one transaction of this test database that has written rows and stayed open for a while: the held or frozen payment. */
async function heldTransaction(): Promise<number> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT t.trx_mysql_thread_id AS id FROM information_schema.innodb_trx t
         JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
        WHERE p.db = ? AND t.trx_rows_modified > 0 AND p.time >= 1`,
      [db.name],
    );
    if (rows[0]) return rows[0].id as number;
    if (Date.now() > deadline) throw new Error('timed out waiting for a payment transaction written but not committed');
    // InnoDB refreshes innodb_trx only when nobody has read it for 0.1 s: polling faster never sees a new transaction.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}


describe('a worker stopped with SIGTERM during a campaign', () => {
  it('finishes its running chunks, exits 0, leaves no order half-paid, and a restarted worker finishes the run', async () => {
    await seedFamilies(pool, 2000);
    const campaignId = await addCampaign(app, { mode: 'split' });
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });

    const first = startCliLogged(['worker'], { ...workerEnv, LOG_LEVEL: 'info' });
    await eventually(async () => {
      const c = await orderCounts(pool, campaignId);
      return c.done > 200 && c.pending > 1000;
    }, undefined, 'the run to be under way');
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.log()).toContain('shut down cleanly');

    // Stopped between chunks: what is paid is fully paid, the rest is untouched and still pending.
    expect((await orderCounts(pool, campaignId)).pending).toBeGreaterThan(0);
    await expectLedgerConsistent(pool);

    const second = startCliLogged(['worker'], workerEnv);
    try {
      expect(await runState(jobId)).toBe('completed');
    } finally {
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    }
    await expectEveryOrderPaidOnce(pool, campaignId, 4000);
  });
});

describe('a worker whose running job outlasts SHUTDOWN_TIMEOUT_MS', () => {
  it('exits 1 without committing it, and the job is taken over and paid once', async () => {
    await seedFamilies(pool, 50);
    const campaignId = await addCampaign(app);
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
    const stuck = startCliLogged(['worker'], { ...workerEnv, FAULT_PAYMENT_HOLD_MS: '60000', SHUTDOWN_TIMEOUT_MS: '1000' });
    await heldTransaction();
    stuck.child.kill('SIGTERM');
    expect(await exited(stuck.child)).toBe(1);
    expect(stuck.log()).toContain('shutdown timed out');
    // The held chunk died with its connection: nothing of it was committed.
    await expectLedgerConsistent(pool);

    const next = startCliLogged(['worker'], workerEnv);
    try {
      expect(await runState(jobId)).toBe('completed');
    } finally {
      next.child.kill('SIGTERM');
      expect(await exited(next.child)).toBe(0);
    }
    await expectEveryOrderPaidOnce(pool, campaignId, 100);
  });
});

describe('a MySQL connection killed mid-transaction', () => {
  it('rolls back the half-written chunk, and the transient retry pays it once', async () => {
    await seedFamilies(pool, 100);
    const campaignId = await addCampaign(app);
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
    // Held until the test has killed its connection, however long finding it takes.
    const held = releaseSwitch();
    const worker = startCliLogged(['worker'], { ...workerEnv, ...held.env, FAULT_PAYMENT_HOLD_MS: String(PATIENCE_MS) });
    try {
      const threadId = await heldTransaction();
      await pool.query(`KILL CONNECTION ${Number(threadId)}`);
      held.release();
      expect(await runState(jobId)).toBe('completed');
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child)).toBe(0);
    }
    expect(worker.log()).toContain('transient database fault, retrying transaction');
    await expectEveryOrderPaidOnce(pool, campaignId, 200);
  });
});

describe('a worker stalled past its lock', () => {
  it('loses the job to a second worker, and the guarded order status keeps the debit single', async () => {
    await seedFamilies(pool, 30);
    const campaignId = await addCampaign(app);
    const stallEnv = { ...workerEnv, LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '1' };
    const stalled: string[] = [];
    const events = app.queues.events('payments');
    await events.waitUntilReady();
    events.on('stalled', ({ jobId }) => stalled.push(jobId));

    // The first worker writes its first chunk, then its event loop blocks before the commit until the
    // test has seen the job stall (its lock expire) and be taken by the second worker.
    const freeze = releaseSwitch();
    const frozen = startCliLogged(['worker'], { ...stallEnv, ...freeze.env, FAULT_PAYMENT_FREEZE_MS: String(PATIENCE_MS) });
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
    await heldTransaction();
    const rescuer = startCliLogged(['worker'], stallEnv);
    try {
      await eventually(async () => stalled.length > 0, undefined, 'the frozen job to stall');
      freeze.release();
      expect(await runState(jobId)).toBe('completed');
    } finally {
      for (const w of [frozen, rescuer]) w.child.kill('SIGTERM');
      await Promise.all([exited(frozen.child), exited(rescuer.child)]);
    }
    expect(stalled.length).toBeGreaterThan(0);
    // The rescuer waited for the frozen transaction's row locks, then found its orders paid.
    const taken = await app.queues.get('payments').getJob(stalled[0]!);
    expect(taken?.returnvalue).toEqual({ charged: 0 });
    await expectEveryOrderPaidOnce(pool, campaignId, 60);
  });
});

describe('the same job id enqueued again', () => {
  it('is a no-op while the job exists, and after the job was removed it runs again without paying twice', async () => {
    await seedFamilies(pool, 5);
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    const entries = await ledgerCount(pool);
    const [[finished]] = await pool.query<RowDataPacket[]>('SELECT id, finished_at, summary FROM campaign_runs');

    const payments = app.queues.get('payments');
    const [chunk] = await payments.getCompleted();
    const again = await app.queues.add('pay-orders', chunk!.data, { jobId: chunk!.id });
    expect(await again.getState()).toBe('completed');

    await chunk!.remove();
    await app.queues.add('pay-orders', chunk!.data, { jobId: chunk!.id });
    expect(await runUntilFinished(app, handlers, 'payments', chunk!.id!)).toEqual({ charged: 0 });

    const campaigns = app.queues.get('campaigns');
    const run = (await campaigns.getJob(`campaign-run-${finished!.id}`))!;
    await run.remove();
    await app.queues.add('campaign-run', { ...run.data, step: 'fan-out' }, { jobId: run.id });
    await runUntilFinished(app, handlers, 'campaigns', run.id!);

    expect(await ledgerCount(pool)).toBe(entries);
    const [[after]] = await pool.query<RowDataPacket[]>('SELECT finished_at, summary FROM campaign_runs WHERE id = ?', [finished!.id]);
    expect(after).toEqual({ finished_at: finished!.finished_at, summary: finished!.summary });
    await expectEveryOrderPaidOnce(pool, campaignId, 10);
  });
});
