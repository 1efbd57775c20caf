import { beforeEach, describe, expect, it } from 'vitest';
import { payOrders } from '../../src/campaign/campaign.service.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, balanceOf, bind, credit } from '../support/factories.ts';
import { detailOf, expectLedgerConsistent, ledgerCount, ordersByPsn } from '../support/orders.ts';

const db = await useTestDb('campaign_run');
const app = useTestApp(db.url);
const pool = db.pool;

beforeEach(async () => {
  for (const table of ['ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
});

describe('planning', () => {
  it('creates one order per active or suspended resident of the province with an active binding, and none for anyone else', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 1_000_000 });
    const plain = await addPerson(pool, { psnNo: 'R1' });
    const exempt = await addPerson(pool, { psnNo: 'R2', category: 'exempt' });
    const suspended = await addPerson(pool, { psnNo: 'R3', status: 'suspended' });
    const elsewhere = await addPerson(pool, { psnNo: 'R4', admdvs: '440100' });
    const terminated = await addPerson(pool, { psnNo: 'R8', status: 'terminated' });
    const revoked = await addPerson(pool, { psnNo: 'R5' });
    const future = await addPerson(pool, { psnNo: 'R6' });
    const employee = await addPerson(pool, { psnNo: 'E2', balance: 0 });
    await addPerson(pool, { psnNo: 'R7' }); // no binding at all
    for (const b of [plain, exempt, suspended, elsewhere, employee, terminated]) await bind(pool, payer, b);
    await bind(pool, payer, revoked, { revokedAt: '2021-01-01 00:00:00' });
    await bind(pool, payer, future, { boundAt: '2099-01-01 00:00:00' });
    const campaignId = await addCampaign(app);

    await runToEnd(app, { campaignId, kind: 'run' });

    // A lapsed (suspended) resident is planned and charged: paying is what re-enrols them.
    expect(await ordersByPsn(pool, campaignId)).toEqual({
      R1: { status: 'paid', code: null, payments: 'E1:40000' },
      R3: { status: 'paid', code: null, payments: 'E1:40000' },
    });
  });

  it('fixes the premium by resident category when the order is planned', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 1_000_000 });
    for (const [psnNo, category] of [['A', 'adult'], ['M', 'minor'], ['S', 'student'], ['O', 'senior']] as const) {
      await bind(pool, payer, await addPerson(pool, { psnNo, category }));
    }
    const campaignId = await addCampaign(app, { premiums: { adult: 40000, minor: 25000, student: 20050, senior: 30000 } });
    await runToEnd(app, { campaignId, kind: 'run' });
    expect(await ordersByPsn(pool, campaignId)).toEqual({
      A: { status: 'paid', code: null, payments: 'E1:40000' },
      M: { status: 'paid', code: null, payments: 'E1:25000' },
      O: { status: 'paid', code: null, payments: 'E1:30000' },
      S: { status: 'paid', code: null, payments: 'E1:20050' },
    });
    expect(await balanceOf(pool, payer)).toBe(1_000_000 - 40000 - 25000 - 20050 - 30000);
  });
});

describe('paying', () => {
  it('single mode: the first payer in deduction order whose balance alone covers the premium pays it all', async () => {
    const first = await addPerson(pool, { psnNo: 'E1', balance: 30000 });
    const second = await addPerson(pool, { psnNo: 'E2', balance: 50000 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, first, child, { priority: 1 });
    await bind(pool, second, child, { priority: 2 });
    const campaignId = await addCampaign(app, { mode: 'single' });
    await runToEnd(app, { campaignId, kind: 'run' });
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'paid', code: null, payments: 'E2:40000' });
    expect([await balanceOf(pool, first), await balanceOf(pool, second)]).toEqual([30000, 10000]);
  });

  it('split mode: payers contribute min(balance, remaining) in deduction order', async () => {
    const first = await addPerson(pool, { psnNo: 'E1', balance: 30000 });
    const empty = await addPerson(pool, { psnNo: 'E0', balance: 0 });
    const second = await addPerson(pool, { psnNo: 'E2', balance: 50000 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, first, child, { priority: 1 });
    await bind(pool, empty, child, { priority: 2 });
    await bind(pool, second, child, { priority: 3 });
    const campaignId = await addCampaign(app, { mode: 'split' });
    await runToEnd(app, { campaignId, kind: 'run' });
    // The empty account contributes nothing, writes no entry and is not listed.
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'paid', code: null, payments: 'E1:30000;E2:10000' });
    expect([await balanceOf(pool, first), await balanceOf(pool, empty), await balanceOf(pool, second)]).toEqual([0, 0, 40000]);
    await expectLedgerConsistent(pool);
  });

  it('breaks priority ties by earlier bound_at, then by smaller payer psn_no in byte order', async () => {
    const late = await addPerson(pool, { psnNo: 'A1', balance: 100000 });
    const upper = await addPerson(pool, { psnNo: 'Zb', balance: 100000 });
    const lower = await addPerson(pool, { psnNo: 'b1', balance: 100000 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, late, child, { priority: 1, boundAt: '2021-06-01 00:00:00' });
    await bind(pool, lower, child, { priority: 1, boundAt: '2020-01-01 00:00:00' });
    await bind(pool, upper, child, { priority: 1, boundAt: '2020-01-01 00:00:00' });
    const campaignId = await addCampaign(app, { mode: 'split', premiums: { adult: 250000, minor: 1, student: 1, senior: 1 } });
    await runToEnd(app, { campaignId, kind: 'run' });
    // 'Z' (0x5A) sorts before 'b' (0x62) in byte order; A1 was bound later.
    expect((await ordersByPsn(pool, campaignId)).R1!.payments).toBe('Zb:100000;b1:100000;A1:50000');
  });

  it('fails with INSUFFICIENT_BALANCE and debits nothing when eligible payers cannot cover the premium', async () => {
    const a = await addPerson(pool, { psnNo: 'E1', balance: 20000 });
    const b = await addPerson(pool, { psnNo: 'E2', balance: 19999 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, a, child);
    await bind(pool, b, child, { priority: 2 });
    const campaignId = await addCampaign(app, { mode: 'split' });
    await runToEnd(app, { campaignId, kind: 'run' });
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'failed', code: 'INSUFFICIENT_BALANCE', payments: '' });
    expect([await balanceOf(pool, a), await balanceOf(pool, b)]).toEqual([20000, 19999]);
    expect(await ledgerCount(pool)).toBe(0);
  });

  it('fails with WRONG_PAYEE listing every binding with its first failing reason, in deduction order', async () => {
    const child = await addPerson(pool, { psnNo: 'R1' });
    const revoked = await addPerson(pool, { psnNo: 'P1', balance: 100000 });
    const other = await addPerson(pool, { psnNo: 'P2', balance: 100000 });
    const cross = await addPerson(pool, { psnNo: 'P3', balance: 100000, admdvs: '440100' });
    const inactive = await addPerson(pool, { psnNo: 'P4', balance: 100000, status: 'suspended' });
    const resident = await addPerson(pool, { psnNo: 'P5', insutype: '390' });
    const noAccount = await addPerson(pool, { psnNo: 'P6', insutype: '310' });
    const active = await addPerson(pool, { psnNo: 'P7', balance: 100000 });
    await bind(pool, active, child, { priority: 9 });
    const campaignId = await addCampaign(app);
    // Planned while P7's binding was active; revoked before the charge (a retry re-evaluates).
    await pool.query("INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, status, failure_code, planned_at) VALUES (?, ?, 'R1', 'adult', 40000, 'failed', 'INSUFFICIENT_BALANCE', NOW())", [campaignId, child]);
    await pool.query("UPDATE bindings SET revoked_at = '2022-01-01 00:00:00'");
    await bind(pool, revoked, child, { priority: 1, revokedAt: '2022-01-01 00:00:00' });
    await bind(pool, other, child, { priority: 2, relationship: 'other' });
    await bind(pool, cross, child, { priority: 3 });
    await bind(pool, inactive, child, { priority: 4 });
    await bind(pool, resident, child, { priority: 5 });
    await bind(pool, noAccount, child, { priority: 6 });

    await runToEnd(app, { campaignId, kind: 'retry' });

    expect((await ordersByPsn(pool, campaignId)).R1).toMatchObject({ status: 'failed', code: 'WRONG_PAYEE' });
    expect(await detailOf(pool, campaignId, 'R1')).toBe(
      'P1:BINDING_INACTIVE;P2:NOT_CLOSE_RELATIVE;P3:CROSS_PROVINCE;P4:PAYER_INACTIVE;P5:PAYER_NOT_EMPLOYEE;P6:NO_ACCOUNT;P7:BINDING_INACTIVE',
    );
    expect(await ledgerCount(pool)).toBe(0);
  });

  it('stores each failed order of a chunk with its own code and detail, next to paid and skipped ones', async () => {
    for (const [i, balance] of [[1, 100], [2, 250], [3, 39999], [4, 100000], [5, 100000], [6, 0]] as const) {
      const payer = await addPerson(pool, { psnNo: `E${i}`, balance });
      const child = await addPerson(pool, { psnNo: `R${i}` });
      await bind(pool, payer, child, i === 5 ? { relationship: 'other' } : {});
    }
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    // The retry charges R1-R3, R5 and R6 again in one chunk: three failures of one code, one of another, one skip.
    await pool.query("UPDATE persons SET status = 'terminated' WHERE psn_no = 'R6'");
    await runToEnd(app, { campaignId, kind: 'retry' });
    const orders = await ordersByPsn(pool, campaignId);
    expect(Object.fromEntries(Object.entries(orders).map(([psn, o]) => [psn, [o.status, o.code]]))).toEqual({
      R1: ['failed', 'INSUFFICIENT_BALANCE'], R2: ['failed', 'INSUFFICIENT_BALANCE'], R3: ['failed', 'INSUFFICIENT_BALANCE'],
      R4: ['paid', null], R5: ['failed', 'WRONG_PAYEE'], R6: ['skipped', 'BENEFICIARY_INELIGIBLE'],
    });
    expect(await detailOf(pool, campaignId, 'R1')).toBe('premium 400.00; single mode; balances E1:1.00');
    expect(await detailOf(pool, campaignId, 'R2')).toBe('premium 400.00; single mode; balances E2:2.50');
    expect(await detailOf(pool, campaignId, 'R3')).toBe('premium 400.00; single mode; balances E3:399.99');
    expect(await detailOf(pool, campaignId, 'R4')).toBeNull();
    expect(await detailOf(pool, campaignId, 'R5')).toBe('E5:NOT_CLOSE_RELATIVE');
    expect(await detailOf(pool, campaignId, 'R6')).toMatch(/^beneficiary is terminated/);
  });

  it('skips with BENEFICIARY_INELIGIBLE a beneficiary who is no longer an active resident when charged', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 10000 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, payer, child);
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    expect((await ordersByPsn(pool, campaignId)).R1!.code).toBe('INSUFFICIENT_BALANCE');
    await pool.query("UPDATE persons SET status = 'terminated' WHERE id = ?", [child]);
    await credit(pool, payer, 100000);
    await runToEnd(app, { campaignId, kind: 'retry' });
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'skipped', code: 'BENEFICIARY_INELIGIBLE', payments: '' });
    expect(await balanceOf(pool, payer)).toBe(110000);
  });
});

describe('determinism and exactly once', () => {
  it('charges beneficiaries sharing one payer in ascending psn_no: the first two are paid, the third fails', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 80000 });
    for (const psnNo of ['R3', 'R1', 'R2']) await bind(pool, payer, await addPerson(pool, { psnNo }));
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    expect(await ordersByPsn(pool, campaignId)).toEqual({
      R1: { status: 'paid', code: null, payments: 'E1:40000' },
      R2: { status: 'paid', code: null, payments: 'E1:40000' },
      R3: { status: 'failed', code: 'INSUFFICIENT_BALANCE', payments: '' },
    });
    expect(await balanceOf(pool, payer)).toBe(0);
  });

  it('a second campaign run changes nothing', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 50000 });
    await bind(pool, payer, await addPerson(pool, { psnNo: 'R1' }));
    await bind(pool, payer, await addPerson(pool, { psnNo: 'R2' }));
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    const before = { orders: await ordersByPsn(pool, campaignId), entries: await ledgerCount(pool), balance: await balanceOf(pool, payer) };
    await runToEnd(app, { campaignId, kind: 'run' });
    expect({ orders: await ordersByPsn(pool, campaignId), entries: await ledgerCount(pool), balance: await balanceOf(pool, payer) }).toEqual(before);
  });

  it('retrying a paid order debits nothing', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 100000 });
    const child = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, payer, child);
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    const [[order]] = (await pool.query('SELECT id FROM premium_orders')) as unknown as [{ id: number }[]];
    await runToEnd(app, { campaignId, kind: 'retry', orderId: order!.id });
    await runToEnd(app, { campaignId, kind: 'retry' });
    expect(await balanceOf(pool, payer)).toBe(60000);
    expect(await ledgerCount(pool)).toBe(1);
  });

  it('a payment job delivered twice debits once', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 100000 });
    await bind(pool, payer, await addPerson(pool, { psnNo: 'R1' }));
    const campaignId = await addCampaign(app);
    await pool.query("INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, planned_at) SELECT ?, id, psn_no, 'adult', 40000, NOW() FROM persons WHERE psn_no = 'R1'", [campaignId]);
    const [[order]] = (await pool.query('SELECT id FROM premium_orders')) as unknown as [{ id: number }[]];
    const payload = { runId: 1, campaignId, retry: false, orderIds: [order!.id] };
    const results = await Promise.all([payOrders(app, payload), payOrders(app, payload)]);
    await payOrders(app, { ...payload, retry: true });
    expect(results.map((r) => r.charged).sort()).toEqual([0, 1]);
    expect(await balanceOf(pool, payer)).toBe(60000);
    expect(await ledgerCount(pool)).toBe(1);
    await expectLedgerConsistent(pool);
  });

  it('a retry after the monthly credit pays INSUFFICIENT_BALANCE orders and leaves the ledger consistent', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 10000 });
    await bind(pool, payer, await addPerson(pool, { psnNo: 'R1' }));
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    await credit(pool, payer, 30000);
    await runToEnd(app, { campaignId, kind: 'retry', code: 'INSUFFICIENT_BALANCE' });
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'paid', code: null, payments: 'E1:40000' });
    expect(await balanceOf(pool, payer)).toBe(0);
    await expectLedgerConsistent(pool);
  });
});
