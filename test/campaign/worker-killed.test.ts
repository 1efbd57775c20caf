import { describe, expect, it } from 'vitest';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { ledgerCount } from '../support/orders.ts';
import { eventually, exited, startCli } from '../support/process.ts';
import { seedFamilies } from '../support/province.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';

const db = await useTestDb('worker_killed');
const app = useTestApp(db.url);

async function counts(): Promise<{ pending: number; done: number }> {
  const [rows] = await db.pool.query("SELECT SUM(status = 'pending') AS pending, SUM(status <> 'pending') AS done FROM premium_orders");
  const r = (rows as { pending: number | null; done: number | null }[])[0]!;
  return { pending: Number(r.pending ?? 0), done: Number(r.done ?? 0) };
}

describe('a worker killed mid-campaign', () => {
  it('is SIGKILLed while paying, and the restarted worker finishes with every order paid exactly once', async () => {
    // 2,000 families: payer i pays for beneficiaries 2i and 2i+1; every tenth payer also for the next family.
    await seedFamilies(db.pool, 2000);
    const campaignId = await addCampaign(app, { mode: 'split' });
    const env = {
      DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, CHUNK_SIZE: '10', WORKER_CONCURRENCY: '2',
      LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000',
    };
    const { jobId } = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });

    const first = startCli(['worker'], env);
    await eventually(async () => {
      const c = await counts();
      return c.done > 200 && c.pending > 0;
    }, undefined, 'some orders paid and some pending');
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await counts();
    expect(atKill.pending).toBeGreaterThan(0);

    const second = startCli(['worker'], env);
    try {
      const state = await eventually(async () => {
        const s = await (await app.queues.get('campaigns').getJob(jobId))?.getState();
        return s === 'completed' || s === 'failed' ? s : null;
      }, undefined, 'the run to finish');
      expect(state).toBe('completed');
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }

    // Every payer holds exactly two premiums: one double debit would break the ledger check or
    // leave some order unpaid.
    expect((await counts()).pending).toBe(0);
    const report = await verifyLedger(db.pool);
    expect(report.problems).toEqual([]);
    const [rows] = await db.pool.query("SELECT COUNT(*) AS paid FROM premium_orders WHERE status = 'paid'");
    const paid = Number((rows as { paid: number }[])[0]!.paid);
    expect(paid).toBe(4000);
    const [dup] = await db.pool.query('SELECT order_id, account_id, COUNT(*) AS n FROM ledger_entries GROUP BY order_id, account_id HAVING n > 1');
    expect(dup).toEqual([]);
    expect(await ledgerCount(db.pool)).toBe(4000);

    // The notices are exactly those of the outcomes (SPEC 9): per debit one to the payer and one to
    // the beneficiary, with its amount; none twice, none missing, no failure notice.
    const [events] = await db.pool.query('SELECT event, COUNT(*) AS n FROM notices GROUP BY event ORDER BY event');
    expect(events).toEqual([{ event: 'premium_paid_for_relative', n: 4000 }, { event: 'premium_paid_by_family', n: 4000 }]);
    const [unmatched] = await db.pool.query(
      `SELECT le.id FROM ledger_entries le JOIN premium_orders o ON o.id = le.order_id
        LEFT JOIN notices f ON f.event = 'premium_paid_for_relative' AND f.source_id = o.id AND f.person_id = le.account_id AND f.counterpart_id = o.person_id AND f.amount = -le.amount
        LEFT JOIN notices b ON b.event = 'premium_paid_by_family' AND b.source_id = o.id AND b.person_id = o.person_id AND b.counterpart_id = le.account_id AND b.amount = -le.amount
        WHERE f.id IS NULL OR b.id IS NULL`,
    );
    expect(unmatched).toEqual([]);
  });
});
