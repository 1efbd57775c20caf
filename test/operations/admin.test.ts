import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handlers } from '../../jobs/index.ts';
import { createAdminApp, listen } from '../../src/admin/server.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { startWorkers } from '../../jobs/workers.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind, credit } from '../support/factories.ts';
import { expectLedgerConsistent, ordersByPsn } from '../support/orders.ts';
import { eventually, runCli } from '../support/process.ts';

const db = await useTestDb('ops_admin');
const app = useTestApp(db.url);
const pool = db.pool;
const TOKEN = 'admin-test-token-0123456789';
const { server, port } = await listen(createAdminApp(app, { bootstrap: { token: TOKEN, name: 'ops-api' } }), '127.0.0.1', 0);
afterAll(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
const base = `http://127.0.0.1:${port}`;
const bearer = { Authorization: `Bearer ${TOKEN}` };
const cliEnv = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function actions(): Promise<RowDataPacket[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT operator, source, action, params, campaign_run_id, orders_touched, finished_at FROM operator_actions ORDER BY id');
  return rows.map((r) => ({ ...r, params: JSON.parse(r.params) })) as RowDataPacket[];
}

/** A campaign whose two orders failed INSUFFICIENT_BALANCE, and a payer who has since been credited enough for both. */
async function campaignWithShortfall(): Promise<number> {
  const payer = await addPerson(pool, { psnNo: 'E1', balance: 0 });
  await bind(pool, payer, await addPerson(pool, { psnNo: 'R1' }));
  await bind(pool, payer, await addPerson(pool, { psnNo: 'R2' }));
  const campaignId = await addCampaign(app);
  await runToEnd(app, { campaignId, kind: 'run' });
  await credit(pool, payer, 80000);
  return campaignId;
}

beforeEach(async () => {
  for (const table of ['operator_actions', 'ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
  const keys = await app.redis.keys(`${app.prefix}:*`);
  if (keys.length > 0) await app.redis.del(...keys);
});

describe('admin server authentication', () => {
  it('answers 401 without a token, with a wrong one, or with the token under another scheme', async () => {
    const wrong: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Token ${TOKEN}` }];
    for (const headers of wrong) {
      for (const path of ['/api/status', '/queues', '/queues/api/queues']) {
        const res = await fetch(`${base}${path}`, { headers });
        expect(res.status, `${path} with ${JSON.stringify(headers)}`).toBe(401);
      }
    }
    expect((await fetch(`${base}/api/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"orderId":1}' })).status).toBe(401);
    expect(await actions()).toEqual([]);
  });

  it('serves the dashboard page and its API with the token, and refuses the token as a Basic auth password (a forged form would carry it)', async () => {
    const page = await fetch(`${base}/queues`, { headers: bearer });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<title>premium-worker</title>');
    expect(text).not.toContain('fonts.googleapis.com');
    const queues = await fetch(`${base}/queues/api/queues`, { headers: bearer });
    expect(queues.status).toBe(200);
    expect(((await queues.json()) as { queues: { name: string; readOnlyMode: boolean }[] }).queues.map((q) => [q.name, q.readOnlyMode]).sort())
      .toEqual([['campaigns', true], ['payments', true], ['recon', true], ['schedules', true]]);
    const basic = await fetch(`${base}/queues`, { headers: { Authorization: `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  it('refuses to start without an ADMIN_TOKEN', async () => {
    const result = await runCli(['admin', '--port', '0'], { ...cliEnv, ADMIN_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ADMIN_TOKEN must be set');
  });
});

describe('admin API', () => {
  it('retries a (campaign, code) set on behalf of the token, audits it, and fills in the orders it charged', async () => {
    const campaignId = await campaignWithShortfall();
    const failures = (await (await fetch(`${base}/api/failures?campaign=${campaignId}`, { headers: bearer })).json()) as { total: number };
    expect(failures.total).toBe(2);

    const res = await post('/api/retry', { campaign_id: campaignId, code: 'INSUFFICIENT_BALANCE' });
    expect(res.status).toBe(202);
    const outcome = (await res.json()) as { run_id: number; job_id: string };
    expect(await actions()).toEqual([{
      operator: 'ops-api', source: 'api', action: 'retry', params: { campaignId, code: 'INSUFFICIENT_BALANCE' },
      campaign_run_id: outcome.run_id, orders_touched: null, finished_at: null,
    }]);

    await runUntilFinished(app, handlers, 'campaigns', outcome.job_id);
    expect((await actions())[0]).toMatchObject({ orders_touched: 2, finished_at: expect.any(String) });
    expect(await ordersByPsn(pool, campaignId)).toEqual({
      R1: { status: 'paid', code: null, payments: 'E1:40000' },
      R2: { status: 'paid', code: null, payments: 'E1:40000' },
    });
    const [[run]] = await pool.query<RowDataPacket[]>('SELECT requested_by FROM campaign_runs WHERE id = ?', [outcome.run_id]);
    expect(run!.requested_by).toBe('ops-api');
    await expectLedgerConsistent(pool);

    const status = (await (await fetch(`${base}/api/campaigns/${campaignId}`, { headers: bearer })).json()) as { orders: number; runs: unknown[] };
    expect(status.orders).toBe(2);
    expect(status.runs).toHaveLength(2);
  });

  it('never retries a paid order, and answers 404 for unknown ids and 400 for malformed requests', async () => {
    const campaignId = await campaignWithShortfall();
    const [[order]] = await pool.query<RowDataPacket[]>("SELECT id FROM premium_orders WHERE psn_no = 'R1'");
    const single = await post('/api/retry', { order_id: order!.id });
    expect(single.status).toBe(202);
    await runUntilFinished(app, handlers, 'campaigns', ((await single.json()) as { job_id: string }).job_id);

    const again = await post('/api/retry', { orderId: order!.id });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ retried: false, order_id: order!.id, reason: 'already paid' });
    expect((await post('/api/retry', { orderId: 99_999_999 })).status).toBe(404);
    expect((await post('/api/retry', { campaignId: 99_999 })).status).toBe(404);
    expect((await post('/api/retry', { campaignId, code: 'PAID' })).status).toBe(400);
    expect((await post('/api/retry', { orderId: order!.id, campaignId })).status).toBe(400);
    expect((await fetch(`${base}/api/campaigns/abc`, { headers: bearer })).status).toBe(400);
    // Only the one accepted retry is in the audit trail.
    expect((await actions()).map((a) => a.action)).toEqual(['retry']);
  });
});

describe('operator commands', () => {
  it('record who asked: campaign create, retry and recon run from the CLI, with --operator', async () => {
    const created = await runCli(['campaign', 'create', '--year', '2031', '--province', '51', '--window', '2030-09-01..2030-12-31',
      '--premium', 'adult=400,minor=400,student=400,senior=400', '--operator', 'bob'], cliEnv);
    expect(created.code).toBe(0);
    const campaignId = Number(created.stdout.trim());
    const retried = await runCli(['retry', '--campaign', String(campaignId), '--operator', 'alice', '--json'], cliEnv);
    expect(retried.code).toBe(0);
    const folder = mkdtempSync(path.join(tmpdir(), 'ops-audit-'));
    const recon = await runCli(['recon', 'run', '--date', '2026-11-22', '--inbox', folder, '--outbox', folder, '--operator', 'carol', '--json'], cliEnv);
    expect(recon.code).toBe(0);
    const rows = await actions();
    expect(rows.map((r) => [r.operator, r.source, r.action])).toEqual([['bob', 'cli', 'campaign.create'], ['alice', 'cli', 'retry'], ['carol', 'cli', 'recon.run']]);
    expect(rows[0]!.params).toMatchObject({ campaignId, year: 2031, province: '51', mode: 'single' });
    expect(rows[1]!.campaign_run_id).toBe(JSON.parse(retried.stdout).run_id);
    expect(rows[2]!.params).toMatchObject({ businessDate: '2026-11-22', jobId: JSON.parse(recon.stdout).job_id });
  });

  it('status --json shows queue counts, campaign progress and failed jobs with their reason', async () => {
    const campaignId = await campaignWithShortfall();
    // A job that fails for good: its campaign does not exist.
    await app.queues.add('pay-orders', { runId: 1, campaignId: 999_999, retry: false, orderIds: [1] }, { jobId: 'pay-broken' });
    const workers = startWorkers(app, handlers, { queues: ['payments'] });
    try {
      await eventually(async () => (await app.queues.get('payments').getJob('pay-broken'))?.isFailed(), undefined, 'the job to fail');
    } finally {
      await workers.close();
    }
    const result = await runCli(['status', '--json'], cliEnv);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.queues.find((q: { queue: string }) => q.queue === 'payments').counts.failed).toBe(1);
    expect(status.campaigns).toEqual([expect.objectContaining({
      id: campaignId, orders: 2, by_status: { pending: 0, paid: 0, failed: 2, skipped: 0, refunded: 0 }, by_failure_code: { INSUFFICIENT_BALANCE: 2 }, collected: '0.00', unfinished_runs: 0,
    })]);
    expect(status.failed_jobs).toEqual([expect.objectContaining({ queue: 'payments', id: 'pay-broken', name: 'pay-orders', reason: 'campaign 999999 does not exist' })]);
    expect(status.reconciliation).toEqual([]);
    const human = await runCli(['status'], cliEnv);
    expect(human.stdout).toContain('pay-broken');
  });
});
