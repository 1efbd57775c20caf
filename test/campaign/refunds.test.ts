import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { payOrders } from '../../src/campaign/campaign.service.ts';
import { refundOrder } from '../../src/campaign/refund.service.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, balanceOf, bind, credit } from '../support/factories.ts';
import { expectLedgerConsistent } from '../support/orders.ts';
import { eventually, exited, runCli, startCliLogged } from '../support/process.ts';

const db = await useTestDb('refunds');
const app = useTestApp(db.url);
const pool = db.pool;
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };
const cli = (...args: string[]) => runCli(args, env);
const actor = { operator: 'clerk7', source: 'cli' as const };
let family = 0;

/**
 * A split-mode campaign: R{n}A is paid by two payers (300.00 from E{n}A, 100.00 from E{n}B), R{n}B
 * fails with INSUFFICIENT_BALANCE (its only payer E{n}B has nothing left).
 */
async function paidFamily(): Promise<{ campaignId: number; paidId: number; failedId: number; payerA: number; payerB: number }> {
  const n = ++family;
  // A province of its own, so each test's campaign plans this family only.
  const province = String(60 + n);
  const admdvs = `${province}0104`;
  const payerA = await addPerson(pool, { psnNo: `E${n}A`, balance: 30000, admdvs });
  const payerB = await addPerson(pool, { psnNo: `E${n}B`, balance: 10000, admdvs });
  const paid = await addPerson(pool, { psnNo: `R${n}A`, admdvs });
  const failed = await addPerson(pool, { psnNo: `R${n}B`, admdvs });
  await bind(pool, payerA, paid, { priority: 1 });
  await bind(pool, payerB, paid, { priority: 2 });
  await bind(pool, payerB, failed, { priority: 1 });
  const campaignId = await addCampaign(app, { mode: 'split', province });
  await runToEnd(app, { campaignId, kind: 'run' });
  const [rows] = await pool.query('SELECT id, psn_no, status FROM premium_orders WHERE campaign_id = ? ORDER BY psn_no', [campaignId]);
  const [a, b] = rows as { id: number; status: string }[];
  expect([a!.status, b!.status]).toEqual(['paid', 'failed']);
  return { campaignId, paidId: a!.id, failedId: b!.id, payerA, payerB };
}

async function entriesOf(orderId: number): Promise<[string, string, number, number][]> {
  const [rows] = await pool.query('SELECT idem_key, kind, account_id, amount FROM ledger_entries WHERE order_id = ? ORDER BY id', [orderId]);
  return (rows as { idem_key: string; kind: string; account_id: number; amount: number }[]).map((r) => [r.idem_key, r.kind, r.account_id, r.amount]);
}

const pad = (n: number) => String(n).padStart(10, '0');

async function statusOf(orderId: number): Promise<{ status: string; failure_code: string | null }> {
  const [rows] = await pool.query('SELECT status, failure_code FROM premium_orders WHERE id = ?', [orderId]);
  return (rows as { status: string; failure_code: string | null }[])[0]!;
}

describe('refund (SPEC 10)', () => {
  it('credits each debit back exactly to its account as a refund entry, marks the order refunded, audits operator and reason, and a second refund changes nothing', async () => {
    const { campaignId, paidId, payerA, payerB } = await paidFamily();

    const outcome = await refundOrder(pool, paidId, 'relative paid at the counter', actor);

    expect(outcome).toMatchObject({ refunded: true, amount: 40000 });
    expect(await entriesOf(paidId)).toEqual([
      [`P${pad(paidId)}-${pad(payerA)}`, 'debit', payerA, -30000],
      [`P${pad(paidId)}-${pad(payerB)}`, 'debit', payerB, -10000],
      [`Q${pad(paidId)}-${pad(payerA)}`, 'refund', payerA, 30000],
      [`Q${pad(paidId)}-${pad(payerB)}`, 'refund', payerB, 10000],
    ]);
    expect(await balanceOf(pool, payerA)).toBe(30000);
    expect(await balanceOf(pool, payerB)).toBe(10000);
    expect(await statusOf(paidId)).toEqual({ status: 'refunded', failure_code: null });
    const [audit] = await pool.query("SELECT operator, params FROM operator_actions WHERE action = 'refund'");
    expect((audit as { operator: string; params: string }[]).map((a) => [a.operator, JSON.parse(a.params)])).toEqual([
      ['clerk7', { orderId: paidId, campaignId, reason: 'relative paid at the counter', amount: 40000 }],
    ]);
    await expectLedgerConsistent(pool);
    const notices = async () => (await pool.query("SELECT person_id, counterpart_id, amount FROM notices WHERE event = 'premium_refunded' AND source_id = ? ORDER BY person_id", [paidId]))[0];
    const [[beneficiary]] = (await pool.query('SELECT person_id FROM premium_orders WHERE id = ?', [paidId])) as unknown as [{ person_id: number }[]];
    expect(await notices()).toEqual([
      { person_id: payerA, counterpart_id: beneficiary!.person_id, amount: 30000 },
      { person_id: payerB, counterpart_id: beneficiary!.person_id, amount: 10000 },
    ]);

    expect(await refundOrder(pool, paidId, 'again', actor)).toMatchObject({ refunded: false, reason: 'already refunded' });
    expect(await entriesOf(paidId)).toHaveLength(4);
    expect(await notices()).toHaveLength(2);

    // orders export shows refunded with the original payments.
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'refunds-')), 'orders.csv');
    expect((await cli('orders', 'export', '--campaign', String(campaignId), '--out', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      'psn_no,status,premium,failure_code,payments\n' +
      `R${family}A,refunded,400.00,,E${family}A:300.00;E${family}B:100.00\n` +
      `R${family}B,failed,400.00,INSUFFICIENT_BALANCE,\n`,
    );
  });

  it('a refunded order is never charged again: not by a retry, a campaign run, a chunk cut before the refund, nor retry --order', async () => {
    const { campaignId, paidId, failedId, payerB } = await paidFamily();
    await refundOrder(pool, paidId, 'test', actor);
    await credit(pool, payerB, 100000);

    await runToEnd(app, { campaignId, kind: 'retry' });
    await runToEnd(app, { campaignId, kind: 'run' });
    // A payment job whose chunk was cut while the order was still pending re-reads its status under lock.
    expect(await payOrders(app, { runId: 1, campaignId, retry: true, orderIds: [paidId] })).toEqual({ charged: 0 });

    expect(await statusOf(paidId)).toEqual({ status: 'refunded', failure_code: null });
    expect(await statusOf(failedId)).toEqual({ status: 'paid', failure_code: null });
    expect((await entriesOf(paidId)).map((e) => e[1])).toEqual(['debit', 'debit', 'refund', 'refund']);
    await expectLedgerConsistent(pool);

    const retry = await cli('retry', '--order', String(paidId));
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/refunded: it is never charged again/);
    const notPaid = await cli('refund', '--order', String((await addPendingOrder(campaignId)).id), '--reason', 'x');
    expect(notPaid.code).toBe(1);
    expect(notPaid.stderr.trim()).toMatch(/^error: order \d+ is pending: only a paid order can be refunded$/);
    expect((await cli('refund', '--order', String(paidId))).stderr).toMatch(/--reason is required/);
  });

  it('two refunds of the same order at once, in two processes: each debit credited back once, one says it was already refunded', async () => {
    const { paidId, payerA, payerB } = await paidFamily();
    const [first, second] = await Promise.all([
      cli('refund', '--order', String(paidId), '--reason', 'twice', '--json'),
      cli('refund', '--order', String(paidId), '--reason', 'twice', '--json'),
    ]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const results = [JSON.parse(first.stdout), JSON.parse(second.stdout)].map((r) => r.refunded);
    expect(results.sort()).toEqual([0, 1]);
    expect((await entriesOf(paidId)).map((e) => e[1])).toEqual(['debit', 'debit', 'refund', 'refund']);
    expect([await balanceOf(pool, payerA), await balanceOf(pool, payerB)]).toEqual([30000, 10000]);
    await expectLedgerConsistent(pool);
  });

  it('a refund racing a retry of the same campaign: the refunded order is not charged again and every balance adds up', async () => {
    const { campaignId, paidId, failedId, payerB } = await paidFamily();
    await credit(pool, payerB, 40000);
    const [refund, retry] = await Promise.all([
      cli('refund', '--order', String(paidId), '--reason', 'race'),
      cli('retry', '--campaign', String(campaignId), '--wait'),
    ]);
    expect([refund.code, retry.code]).toEqual([0, 0]);
    expect(await statusOf(paidId)).toEqual({ status: 'refunded', failure_code: null });
    // Whether or not the retry saw payer B's 100.00 come back first, the credit covers R?B.
    expect((await statusOf(failedId)).status).toBe('paid');
    expect((await entriesOf(paidId)).map((e) => e[1])).toEqual(['debit', 'debit', 'refund', 'refund']);
    await expectLedgerConsistent(pool);
  });

  it('the refunding process killed before its commit leaves the order paid and nothing credited; the refund run again gives each debit back once', async () => {
    const { campaignId, paidId, payerA, payerB } = await paidFamily();
    const { child, log } = startCliLogged(['refund', '--order', String(paidId), '--reason', 'killed'], { ...env, FAULT_REFUND_HOLD_MS: '600000' });
    await eventually(async () => log().includes('refund transaction paused before commit'), 60_000, 'the refund paused before its commit');
    child.kill('SIGKILL');
    await exited(child);

    // Nothing of the killed transaction is visible: the server rolls it back with the dead connection.
    expect(await statusOf(paidId)).toEqual({ status: 'paid', failure_code: null });
    expect((await entriesOf(paidId)).map((e) => e[1])).toEqual(['debit', 'debit']);
    expect([await balanceOf(pool, payerA), await balanceOf(pool, payerB)]).toEqual([0, 0]);
    // Run again, the refund waits for the rolled-back transaction's locks to go.
    const after = await refundOrder(pool, paidId, 'after the kill', actor);
    expect(after).toMatchObject({ refunded: true, amount: 40000 });
    expect((await entriesOf(paidId)).map((e) => e[1])).toEqual(['debit', 'debit', 'refund', 'refund']);
    expect([await balanceOf(pool, payerA), await balanceOf(pool, payerB)]).toEqual([30000, 10000]);
    const [audit] = await pool.query("SELECT params FROM operator_actions WHERE action = 'refund' AND JSON_VALUE(params, '$.orderId') = ?", [paidId]);
    expect((audit as { params: string }[]).map((a) => JSON.parse(a.params).reason)).toEqual(['after the kill']);
    await runToEnd(app, { campaignId, kind: 'retry' });
    expect(await statusOf(paidId)).toEqual({ status: 'refunded', failure_code: null });
    await expectLedgerConsistent(pool);
  });

  it('ledger verify flags a refunded order whose debits were not all credited back', async () => {
    const { paidId } = await paidFamily();
    await pool.query("UPDATE premium_orders SET status = 'refunded' WHERE id = ?", [paidId]);
    const report = await verifyLedger(pool);
    expect(report.problems.filter((p) => p.check === 'order_refunds').map((p) => [p.expected, p.actual])).toEqual([[30000, 0], [10000, 0]]);
    await pool.query("UPDATE premium_orders SET status = 'paid' WHERE id = ?", [paidId]);
    await expectLedgerConsistent(pool);
  });
});

async function addPendingOrder(campaignId: number): Promise<{ id: number }> {
  const person = await addPerson(pool, { psnNo: `PEND${++family}` });
  const [result] = await pool.query(
    "INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, status, planned_at) VALUES (?, ?, ?, 'adult', 40000, 'pending', NOW())",
    [campaignId, person, `PEND${family}`],
  );
  return { id: (result as { insertId: number }).insertId };
}
