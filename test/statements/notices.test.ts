import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { payOrders } from '../../src/campaign/campaign.service.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { insertNotices, premiumRefundedNotices } from '../../src/ledger/notices.ts';
import { readNotices } from '../../src/statements/notices.queries.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind, credit } from '../support/factories.ts';
import { importFile, query, seed, settlementRow, writeImportFile, institutionRow } from '../support/import-files.ts';
import { expectLedgerConsistent } from '../support/orders.ts';
import { runCli } from '../support/process.ts';
import { refundOrder } from '../../src/campaign/refund.service.ts';

const db = await useTestDb('notices');
const app = useTestApp(db.url);
const pool = db.pool;

beforeEach(async () => {
  for (const table of ['notices', 'ledger_entries', 'settlements', 'institutions', 'premium_orders', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
});

/** Every notice as `event psn_no reference amount counterpart code`, in notice_id order (ids and times left out). */
async function notices(): Promise<string[]> {
  const out: string[] = [];
  for await (const page of readNotices(pool, 0, null)) out.push(...page.map((r) => [r[2], r[1], ...r.slice(3, 7)].join(' ').trimEnd()));
  return out;
}

async function planOrders(campaignId: number, psnNos: string[]): Promise<Record<string, number>> {
  await pool.query(
    "INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, planned_at) SELECT ?, id, psn_no, 'adult', 40000, NOW() FROM persons WHERE psn_no IN (?) ORDER BY psn_no",
    [campaignId, psnNos],
  );
  const rows = await query<{ id: number; psn_no: string }>(pool, 'SELECT id, psn_no FROM premium_orders');
  return Object.fromEntries(rows.map((r) => [r.psn_no, r.id]));
}

describe('premium notices', () => {
  it('are written once per event: a redelivered chunk and retries failing with the same code add nothing', async () => {
    const e1 = await addPerson(pool, { psnNo: 'E1', balance: 100000 });
    const e2 = await addPerson(pool, { psnNo: 'E2', balance: 10000 });
    const e3 = await addPerson(pool, { psnNo: 'E3', balance: 5000 });
    const r1 = await addPerson(pool, { psnNo: 'R1' });
    const r2 = await addPerson(pool, { psnNo: 'R2' });
    const r3 = await addPerson(pool, { psnNo: 'R3' });
    const r4 = await addPerson(pool, { psnNo: 'R4' });
    await bind(pool, e2, r1, { priority: 1 });
    await bind(pool, e1, r1, { priority: 2 });
    await bind(pool, e3, r2);
    await bind(pool, e1, r3, { relationship: 'other' });
    await bind(pool, e1, r4);
    const campaignId = await addCampaign(app, { mode: 'split' });
    const orders = await planOrders(campaignId, ['R1', 'R2', 'R3', 'R4']);
    // R4 left the scheme after planning: skipped, and skipped orders get no notice.
    await pool.query("UPDATE persons SET status = 'terminated' WHERE psn_no = 'R4'");
    const payload = { runId: 1, campaignId, retry: false, orderIds: Object.values(orders) };

    await payOrders(app, payload);
    await payOrders(app, payload); // the same chunk delivered again
    await payOrders(app, { ...payload, retry: true }); // R2, R3 fail again with the same codes, R4 is skipped again
    const afterFailures = [
      `premium_paid_for_relative E2 ${orders.R1} 100.00 R1`,
      `premium_paid_by_family R1 ${orders.R1} 100.00 E2`,
      `premium_paid_for_relative E1 ${orders.R1} 300.00 R1`,
      `premium_paid_by_family R1 ${orders.R1} 300.00 E1`,
      `premium_failed R2 ${orders.R2}   INSUFFICIENT_BALANCE`,
      `premium_failed R3 ${orders.R3}   WRONG_PAYEE`,
    ];
    expect(await notices()).toEqual(afterFailures);

    // After the monthly credit a retry pays R2: its payment notices follow; its failure notice stays the one.
    await credit(pool, e3, 35000);
    await payOrders(app, { ...payload, retry: true });
    await payOrders(app, { ...payload, retry: true });
    expect(await notices()).toEqual([...afterFailures, `premium_paid_for_relative E3 ${orders.R2} 400.00 R2`, `premium_paid_by_family R2 ${orders.R2} 400.00 E3`]);
    await expectLedgerConsistent(pool);
  });

  it('a refund tells each payer once, and writing the same notices again is a no-op', async () => {
    const e1 = await addPerson(pool, { psnNo: 'E1', balance: 30000 });
    const e2 = await addPerson(pool, { psnNo: 'E2', balance: 30000 });
    const r1 = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, e1, r1, { priority: 1 });
    await bind(pool, e2, r1, { priority: 2 });
    const campaignId = await addCampaign(app, { mode: 'split' });
    const orders = await planOrders(campaignId, ['R1']);
    await payOrders(app, { runId: 1, campaignId, retry: false, orderIds: [orders.R1!] });
    await refundOrder(pool, orders.R1!, 'paid twice', { operator: 'test', source: 'cli' });
    await inTransaction(pool, (conn) => insertNotices(conn, premiumRefundedNotices(orders.R1!, r1, [{ payerId: e1, amount: 30000 }, { payerId: e2, amount: 10000 }])));
    expect((await notices()).filter((n) => n.startsWith('premium_refunded'))).toEqual([
      `premium_refunded E1 ${orders.R1} 300.00 R1`,
      `premium_refunded E2 ${orders.R1} 100.00 R1`,
    ]);
  });
});

describe('medical notices', () => {
  it('tell each payer of a settlement and of its refund, never the patient about their own account, once however often the file is imported', async () => {
    const e1 = await addPerson(pool, { psnNo: 'E1', balance: 10000 });
    const e2 = await addPerson(pool, { psnNo: 'E2', balance: 1000 });
    const r1 = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, e1, r1, { relationship: 'child' });
    await bind(pool, e1, e2, { relationship: 'spouse' });
    await seed(db, 'institutions', [institutionRow('PH1')]);
    const file = writeImportFile('settlements.csv', [
      settlementRow('S1', 'R1', 'PH1', '50.00'),
      settlementRow('S2', 'E2', 'PH1', '30.00'), // E2's own 10.00 first, E1 pays 20.00
      settlementRow('S3', 'E1', 'PH1', '5.00'), // E1's own account only: no notice
      settlementRow('S2R', 'E2', 'PH1', '-30.00', { orig_setl_id: 'S2', setl_time: '2026-11-24 10:00:00' }),
    ]);
    expect((await importFile(db, 'settlements', file)).imported).toBe(4);
    expect((await importFile(db, 'settlements', file)).unchanged).toBe(4);
    expect(await notices()).toEqual([
      'medical_paid_for_relative E1 S1 50.00 R1',
      'medical_paid_for_relative E1 S2 20.00 E2',
      'medical_refunded E1 S2R 20.00 E2',
    ]);
    await expectLedgerConsistent(pool);
  });
});

describe('notices export', () => {
  it('writes the columns of SPEC 9 in notice_id order after the cursor, at most --limit, with no balance, name or ID number', async () => {
    const e1 = await addPerson(pool, { psnNo: 'E1', balance: 200000 });
    for (const psnNo of ['R1', 'R2', 'R3']) await bind(pool, e1, await addPerson(pool, { psnNo }));
    const campaignId = await addCampaign(app);
    const orders = await planOrders(campaignId, ['R1', 'R2', 'R3']);
    await payOrders(app, { runId: 1, campaignId, retry: false, orderIds: Object.values(orders) });
    const ids = (await query<{ id: number }>(pool, 'SELECT id FROM notices ORDER BY id')).map((r) => r.id);
    expect(ids).toHaveLength(6);

    const out = writeImportFile('notices.csv', '');
    const result = await runCli(['notices', 'export', '--after', String(ids[1]), '--limit', '3', '--out', out, '--json'], { DATABASE_URL: db.url });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ file: out, notices: 3, last_notice_id: ids[4] });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('notice_id,psn_no,event,reference,amount,counterpart_psn_no,code,created_at');
    expect(lines.slice(1).map((l) => l.replace(/,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00$/, ',T'))).toEqual([
      `${ids[2]},E1,premium_paid_for_relative,${orders.R2},400.00,R2,,T`,
      `${ids[3]},R2,premium_paid_by_family,${orders.R2},400.00,E1,,T`,
      `${ids[4]},E1,premium_paid_for_relative,${orders.R3},400.00,R3,,T`,
    ]);
    expect(readFileSync(out, 'utf8')).not.toMatch(/测试|510104\d{12}/);
  });
});
