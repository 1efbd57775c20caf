import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCampaign } from '../../src/campaign/campaign.repository.ts';
import { requestRetry } from '../../src/campaign/campaign.service.ts';
import { refundDoublePaid } from '../../src/campaign/refund.service.ts';
import { judgeReceipt } from '../../src/domain/receipts.ts';
import { exportHandoff, handoffReport } from '../../src/handoff/handoff.service.ts';
import { receiptsImport, type ReceiptCounts } from '../../src/handoff/receipts.import.ts';
import { runImport } from '../../src/imports/import-runner.ts';
import { addDays, shanghaiToday } from '../../src/domain/time.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind, credit } from '../support/factories.ts';
import { expectLedgerConsistent } from '../support/orders.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('handoff');
const app = useTestApp(db.url);
const pool = db.pool;
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };
const cli = (...args: string[]) => runCli(args, env);
const actor = { operator: 'clerk7', source: 'cli' as const };
const dir = mkdtempSync(path.join(tmpdir(), 'handoff-'));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function orderState(): Promise<Record<string, [string, string | null]>> {
  const [rows] = await pool.query('SELECT psn_no, status, failure_code FROM premium_orders ORDER BY psn_no');
  return Object.fromEntries((rows as { psn_no: string; status: string; failure_code: string | null }[]).map((r) => [r.psn_no, [r.status, r.failure_code]]));
}

async function snapshot(): Promise<unknown> {
  const [receipts] = await pool.query('SELECT receipt_no, outcome, order_id, detail FROM tax_receipts ORDER BY receipt_no');
  const [entries] = await pool.query('SELECT COUNT(*) AS n FROM ledger_entries');
  return { orders: await orderState(), receipts, entries };
}

describe('judging a receipt (pure rule)', () => {
  const order = (status: 'pending' | 'paid' | 'failed' | 'skipped' | 'refunded', failureCode: string | null = null) => ({ status, failureCode, premium: 40000 });
  it('matches family-account receipts to paid orders and turns other-channel ones into ALREADY_PAID or DOUBLE_PAID', () => {
    expect(judgeReceipt({ channel: 'family_account', amount: 40000 }, order('paid')).outcome).toBe('RECEIVED');
    expect(judgeReceipt({ channel: 'family_account', amount: 38000 }, order('paid'))).toMatchObject({ outcome: 'AMOUNT_DIFFERS', detail: 'order premium 400.00, receipt 380.00' });
    expect(judgeReceipt({ channel: 'family_account', amount: 40000 }, order('failed')).outcome).toBe('UNKNOWN_ORDER');
    expect(judgeReceipt({ channel: 'family_account', amount: 40000 }, null, 'unknown person')).toMatchObject({ outcome: 'UNKNOWN_ORDER', detail: 'unknown person' });
    for (const status of ['pending', 'failed', 'skipped'] as const) {
      expect(judgeReceipt({ channel: 'other', amount: 40000 }, order(status))).toMatchObject({ outcome: 'ALREADY_PAID', skipOrder: true });
    }
    expect(judgeReceipt({ channel: 'other', amount: 40000 }, order('skipped', 'ALREADY_PAID'))).toMatchObject({ outcome: 'ALREADY_PAID', skipOrder: false });
    expect(judgeReceipt({ channel: 'other', amount: 40000 }, order('paid'))).toMatchObject({ outcome: 'DOUBLE_PAID', skipOrder: false });
    expect(judgeReceipt({ channel: 'other', amount: 40000 }, order('refunded'))).toMatchObject({ outcome: 'ALREADY_PAID', skipOrder: false });
  });
});

describe('tax-bureau hand-off (SPEC 10)', () => {
  it('exports the day\'s paid orders with full IDs in a 0600 file, applies receipts once, refunds the double payment and reports what is wrong', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 160000 });
    const poor = await addPerson(pool, { psnNo: 'E2', balance: 0 });
    for (const psnNo of ['R1', 'R2', 'R3', 'R6']) await bind(pool, payer, await addPerson(pool, { psnNo }));
    await bind(pool, poor, await addPerson(pool, { psnNo: 'R4' }));
    await addPerson(pool, { psnNo: 'R7' }); // no binding: never planned
    const campaignId = await addCampaign(app, { year: 2027 });
    await runToEnd(app, { campaignId, kind: 'run' });
    expect(await orderState()).toMatchObject({ R1: ['paid', null], R4: ['failed', 'INSUFFICIENT_BALANCE'] });
    const [ids] = await pool.query("SELECT psn_no, id_number FROM persons WHERE psn_no IN ('R1', 'R2', 'R3', 'R6') ORDER BY psn_no");
    const idOf = Object.fromEntries((ids as { psn_no: string; id_number: string }[]).map((r) => [r.psn_no, r.id_number]));

    // Export: every order paid today, full ID numbers, a file only its owner may read.
    const today = shanghaiToday();
    const out = path.join(dir, 'handoff.csv');
    const exported = await cli('handoff', 'export', '--campaign', String(campaignId), '--date', today, '--out', out, '--operator', 'clerk7');
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(idOf.R1!);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('psn_no,id_number,year,premium,paid_at,payers');
    expect(lines.slice(1).map((l) => l.replace(/,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00,/, ',T,'))).toEqual(
      ['R1', 'R2', 'R3', 'R6'].map((p) => `${p},${idOf[p]},2027,400.00,T,E1:400.00`),
    );
    expect(lines[1]).toContain(`,${today} `);
    const [audit] = await pool.query("SELECT operator, params FROM operator_actions WHERE action = 'handoff.export'");
    expect((audit as { operator: string; params: string }[]).map((a) => [a.operator, JSON.parse(a.params)])).toEqual([
      ['clerk7', { campaignId, date: today, file: 'handoff.csv', orders: 4 }],
    ]);
    const campaign = (await findCampaign(pool, campaignId))!;
    expect(await exportHandoff(pool, campaign, addDays(today, -1), path.join(dir, 'none.csv'), actor)).toBe(0);

    // Receipts: one per outcome.
    const receipts = file('receipts.csv', [
      'receipt_no,psn_no,year,amount,channel,paid_at',
      `T001,R1,2027,400.00,family_account,${today} 10:00:00`,
      `T002,R2,2027,380,family_account,${today} 10:00:00`,
      `T003,R3,2027,400,other,${today} 09:00:00`,
      `T004,R4,2027,400,other,${today} 09:00:00`,
      `T005,NOPE,2027,400,family_account,${today} 09:00:00`,
      `T006,R1,2099,400,family_account,${today} 09:00:00`,
      `T007,R7,2027,400,other,${today} 09:00:00`,
      '',
    ].join('\n'));
    const imported = await cli('handoff', 'receipts', receipts, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      read: 7, imported: 7, rejected: 0, outcomes: { RECEIVED: 1, AMOUNT_DIFFERS: 1, DOUBLE_PAID: 1, ALREADY_PAID: 1, UNKNOWN_ORDER: 3 },
    });
    expect(await orderState()).toMatchObject({ R3: ['paid', null], R4: ['skipped', 'ALREADY_PAID'] });

    // Re-imported, the receipts change nothing; the same number with other values is rejected (exit 2).
    const before = await snapshot();
    const counts: ReceiptCounts = {};
    expect(await runImport(db, receiptsImport(counts), receipts)).toMatchObject({ imported: 0, unchanged: 7, rejected: 0 });
    expect(counts).toEqual({});
    const changed = await cli('handoff', 'receipts', file('changed.csv', `receipt_no,psn_no,year,amount,channel,paid_at\nT002,R2,2027,400,family_account,${today} 10:00:00\n`));
    expect(changed.code).toBe(2);
    expect(changed.stderr.trim()).toBe('changed.csv:1 receipt_no: already applied with different values');
    expect(await snapshot()).toEqual(before);

    // ALREADY_PAID is never charged: not by a retry after a credit, nor retry --order.
    await credit(pool, poor, 100000);
    await runToEnd(app, { campaignId, kind: 'retry' });
    expect(await orderState()).toMatchObject({ R4: ['skipped', 'ALREADY_PAID'] });
    const [[r4]] = (await pool.query("SELECT id FROM premium_orders WHERE psn_no = 'R4'")) as unknown as [{ id: number }[]];
    expect(await requestRetry(app, { orderId: r4!.id }, actor)).toEqual({ retried: false, orderId: r4!.id, reason: 'paid through another channel' });

    // The double payment is refunded; a second run says so and changes nothing.
    const refund = await cli('refund', '--campaign', String(campaignId), '--double-paid', '--json');
    expect(refund.code).toBe(0);
    expect(JSON.parse(refund.stdout)).toMatchObject({ refunded: 1, already_refunded: 0, orders: [{ psn_no: 'R3', amount: '400.00', payments: 'E1:400.00' }] });
    expect(await refundDoublePaid(pool, campaignId, actor)).toMatchObject([{ psnNo: 'R3', refunded: false, reason: 'already refunded' }]);
    expect(await orderState()).toMatchObject({ R3: ['refunded', null] });
    await expectLedgerConsistent(pool);

    // Report: everything but RECEIVED; NOT_RECEIVED once more than 7 days have passed since the export.
    const [[r3]] = (await pool.query("SELECT id FROM premium_orders WHERE psn_no = 'R3'")) as unknown as [{ id: number }[]];
    const [[r2]] = (await pool.query("SELECT id FROM premium_orders WHERE psn_no = 'R2'")) as unknown as [{ id: number }[]];
    const [[r6]] = (await pool.query("SELECT id FROM premium_orders WHERE psn_no = 'R6'")) as unknown as [{ id: number }[]];
    const reportOut = path.join(dir, 'report.csv');
    expect((await cli('handoff', 'report', '--campaign', String(campaignId), '--as-of', addDays(today, 7), '--out', reportOut)).code).toBe(0);
    const report = readFileSync(reportOut, 'utf8').trimEnd().split('\n');
    expect(report[0]).toBe('code,psn_no,order_id,receipt_no,order_premium,receipt_amount,detail');
    expect(report.slice(1).map((l) => l.split(',').slice(0, 6).join(','))).toEqual([
      `AMOUNT_DIFFERS,R2,${r2!.id},T002,400.00,380.00`,
      'UNKNOWN_ORDER,NOPE,,T005,,400.00',
      'UNKNOWN_ORDER,R1,,T006,,400.00',
      'UNKNOWN_ORDER,R7,,T007,,400.00',
      `ALREADY_PAID,R4,${r4!.id},T004,400.00,400.00`,
      `DOUBLE_PAID,R3,${r3!.id},T003,400.00,400.00`,
    ]);
    expect(report[6]).toMatch(/double payment refunded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00/);
    const rows = await handoffReport(pool, campaign, addDays(today, 8));
    expect(rows.filter((r) => r[0] === 'NOT_RECEIVED').map((r) => r.slice(0, 6))).toEqual([['NOT_RECEIVED', 'R6', String(r6!.id), '', '400.00', '']]);
    expect(rows).toHaveLength(7);
  }, 300_000);

  it('rejects malformed receipt rows, each with its row and column, and applies the good ones', async () => {
    const today = shanghaiToday();
    const receipts = file('bad-receipts.csv', [
      'receipt_no,psn_no,year,amount,channel,paid_at',
      `B001,R1,2027,400,cash,${today} 10:00:00`,
      `B002,R1,2027,-400,other,${today} 10:00:00`,
      `B003,R1,27,400,other,${today} 10:00:00`,
      `B004,R1,2027,400,other,yesterday`,
      `B005,R-1,2027,400,other,${today} 10:00:00`,
      `B006,NOPE,2027,400.5,other,${today} 10:00:00`,
      `B006,NOPE,2027,400.5,other,${today} 10:00:00`,
      `B006,NOPE,2027,400.6,other,${today} 10:00:00`,
      '',
    ].join('\n'));
    const summary = await runImport(db, receiptsImport(), receipts);
    expect(summary).toMatchObject({ read: 8, imported: 1, unchanged: 1, rejected: 6 });
    expect(summary.errors.map((e) => [e.row, e.column])).toEqual([
      [1, 'channel'], [2, 'amount'], [3, 'year'], [4, 'paid_at'], [5, 'psn_no'], [8, 'receipt_no'],
    ]);
  });
});
