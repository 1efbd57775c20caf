import { describe, expect, it } from 'vitest';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind, credit } from '../support/factories.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('cli_what_changed');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

async function orderOf(psnNo: string): Promise<number> {
  const [[row]] = (await db.pool.query('SELECT id FROM premium_orders WHERE psn_no = ?', [psnNo])) as unknown as [{ id: number }[]];
  return row!.id;
}

describe('commands say what they changed', () => {
  it('retry --wait prints the orders newly paid and those still failed by code, not the campaign table; --order prints that order', async () => {
    const payers = [await addPerson(db.pool, { psnNo: 'WP1', balance: 10000 }), await addPerson(db.pool, { psnNo: 'WP2', balance: 0 }), await addPerson(db.pool, { psnNo: 'WP3', balance: 0 })];
    for (const [i, payer] of payers.entries()) await bind(db.pool, payer, await addPerson(db.pool, { psnNo: `WR${i + 1}` }));
    const lonely = await addPerson(db.pool, { psnNo: 'WR4' });
    await bind(db.pool, await addPerson(db.pool, { psnNo: 'WP4', balance: 90000, admdvs: '440100' }), lonely);
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    await credit(db.pool, payers[0]!, 30000);

    const retry = await runCli(['retry', '--campaign', String(campaignId), '--wait'], env);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/^retry \d+ finished in [\d.]+ s: 4 orders retried, 1 newly paid\nstill failed: INSUFFICIENT_BALANCE 2, WRONG_PAYEE 1\n$/);

    await credit(db.pool, payers[1]!, 40000);
    const one = await runCli(['retry', '--order', String(await orderOf('WR2')), '--wait'], env);
    expect(one).toMatchObject({ code: 0, stdout: `order ${await orderOf('WR2')}: paid\n` });
    const still = await runCli(['retry', '--order', String(await orderOf('WR3')), '--wait', '--json'], env);
    expect(JSON.parse(still.stdout)).toMatchObject({ order_id: await orderOf('WR3'), status: 'failed', failure_code: 'INSUFFICIENT_BALANCE' });
  });

  it('db migrate lists the migrations it applied, and says when none was pending', async () => {
    const url = `${db.url}_fresh`;
    try {
      const first = await runCli(['db', 'migrate'], { DATABASE_URL: url });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied 0000_foundation\napplied 0001_\w+\n(applied \w+\n)*database \w+_fresh is up to date \(\d+ migrations applied\)\n$/);
      const again = await runCli(['db', 'migrate', '--json'], { DATABASE_URL: url });
      expect(JSON.parse(again.stdout)).toEqual({ database: url.split('/').at(-1), applied: [] });
    } finally {
      await db.pool.query(`DROP DATABASE IF EXISTS \`${url.split('/').at(-1)}\``);
    }
  });

  it('--json output uses the snake_case names of the domain', async () => {
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    expect(Object.keys(status)).toEqual(['queues', 'campaigns', 'schedules', 'reconciliation', 'failed_jobs']);
    expect(Object.keys(status.campaigns[0])).toEqual(expect.arrayContaining(['by_status', 'by_failure_code', 'unfinished_runs']));
    const campaign = JSON.parse((await runCli(['campaign', 'status', String(status.campaigns[0].id), '--json'], env)).stdout);
    expect(Object.keys(campaign)).toEqual(expect.arrayContaining(['window_start', 'window_end', 'by_status']));
    expect(campaign.by_status[0]).toHaveProperty('failure_code');
  });
});
