import { beforeAll, describe, expect, it } from 'vitest';
import { countOrders, findCampaign, insertRun, loadOrderGraph, pendingOrdersInRange, planOrders } from '../../src/campaign/campaign.repository.ts';
import { findOrder, listFailures, streamOrders } from '../../src/campaign/orders.queries.ts';
import { lockChunk, writeChunk } from '../../src/campaign/payment.repository.ts';
import { countPendingOrders, findRun, findRunByOrigin, listUnfinishedRuns } from '../../src/campaign/runs.queries.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { chargeCluster } from '../../src/domain/premium.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';

const db = await useTestDb('campaign_repositories');
const app = useTestApp(db.url);
const pool = db.pool;
const AT = '2026-11-23 10:00:00';
let campaignId: number;
let payer: number;

beforeAll(async () => {
  payer = await addPerson(pool, { psnNo: 'CP1', balance: 50_000 });
  for (const psnNo of ['CR1', 'CR2']) await bind(pool, payer, await addPerson(pool, { psnNo }));
  campaignId = await addCampaign(app);
  await planOrders(pool, (await findCampaign(pool, campaignId))!, AT);
});

describe('campaign repository', () => {
  it('plans each beneficiary once and reads the orders back as pending, with their binding graph', async () => {
    expect(await planOrders(pool, (await findCampaign(pool, campaignId))!, AT)).toBe(0);
    const pending = await pendingOrdersInRange(pool, campaignId, 0, 1_000_000);
    expect(pending).toHaveLength(2);
    const graph = await loadOrderGraph(pool, { campaignId, statuses: ['pending'] });
    expect(graph.orders.map((o) => o.orderId).sort()).toEqual(pending.map((o) => o.id).sort());
    expect(graph.edges).toHaveLength(2);
    expect(await countOrders(pool, campaignId)).toEqual([{ status: 'pending', failureCode: null, orders: 2, premium: 80_000 }]);
  });
});

describe('payment repository', () => {
  it('locks a chunk, writes its debits, balances and statuses, and leaves paid orders out of a second lock', async () => {
    const orderIds = (await pendingOrdersInRange(pool, campaignId, 0, 1_000_000)).map((o) => o.id);
    await inTransaction(pool, async (conn) => {
      const { orders, balances } = await lockChunk(conn, campaignId, orderIds, ['pending']);
      expect(orders.map((o) => o.bindings.map((b) => b.payerBalance))).toEqual([[50_000], [50_000]]);
      await writeChunk(conn, chargeCluster(orders, balances, 'single', '51', AT), AT, new Map(orders.map((o) => [o.orderId, o.beneficiary.id])));
    });
    const [[account]] = (await pool.query('SELECT balance FROM accounts WHERE person_id = ?', [payer])) as unknown as [[{ balance: number }]];
    expect(account.balance).toBe(10_000);
    expect(await countOrders(pool, campaignId)).toEqual(expect.arrayContaining([
      { status: 'failed', failureCode: 'INSUFFICIENT_BALANCE', orders: 1, premium: 40_000 },
      { status: 'paid', failureCode: null, orders: 1, premium: 40_000 },
    ]));
    await inTransaction(pool, async (conn) => expect((await lockChunk(conn, campaignId, orderIds, ['pending'])).orders).toEqual([]));
  });
});

describe('orders queries', () => {
  it('exports orders in psn_no order with their payments, lists failures, finds an order', async () => {
    const pages = [];
    for await (const page of streamOrders(pool, campaignId)) pages.push(...page);
    expect(pages.map((o) => [o.psnNo, o.status, o.payments])).toEqual([
      ['CR1', 'paid', [{ payerPsnNo: 'CP1', amount: 40_000 }]],
      ['CR2', 'failed', []],
    ]);
    const failures = await listFailures(pool, { campaignId, code: 'INSUFFICIENT_BALANCE' });
    expect(failures.total).toBe(1);
    expect(failures.rows[0]).toMatchObject({ psnNo: 'CR2', failureCode: 'INSUFFICIENT_BALANCE', premium: 40_000 });
    expect(await findOrder(pool, failures.rows[0]!.orderId)).toMatchObject({ id: failures.rows[0]!.orderId, campaignId, status: 'failed' });
    expect(await findOrder(pool, 999_999)).toBeNull();
  });
});

describe('runs queries', () => {
  it('reads a run back with its parameters, by id and by origin, until it is finished', async () => {
    const runId = await insertRun(pool, { campaignId, kind: 'retry', params: { code: 'INSUFFICIENT_BALANCE', origin: 'schedule-7' }, requestedBy: 'test' });
    const expected = { id: runId, campaignId, kind: 'retry', orderId: undefined, code: 'INSUFFICIENT_BALANCE', origin: 'schedule-7', finished: false };
    expect(await findRun(pool, runId)).toEqual(expected);
    expect(await findRunByOrigin(pool, campaignId, 'retry', 'schedule-7')).toEqual(expected);
    expect(await findRunByOrigin(pool, campaignId, 'run', 'schedule-7')).toBeNull();
    expect((await listUnfinishedRuns(pool, { campaignId })).map((r) => r.id)).toEqual([runId]);
    expect(await countPendingOrders(pool, campaignId)).toBe(0);
  });
});
