import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handlers } from '../../jobs/index.ts';
import { resetEnvCache } from '../../src/config/env.ts';
import { fromShanghai } from '../../src/domain/time.ts';
import { catchUp, enqueueTick } from '../../src/operations/schedule.service.ts';
import type { ScheduleDefinition } from '../../src/operations/schedules.ts';
import { startWorkers, type RunningWorkers } from '../../jobs/workers.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind, credit } from '../support/factories.ts';
import { expectLedgerConsistent, ordersByPsn } from '../support/orders.ts';
import { eventually, exited, startCliLogged } from '../support/process.ts';

const db = await useTestDb('ops_schedules');
const app = useTestApp(db.url);
const pool = db.pool;
const processEnv = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

async function scheduleRuns(): Promise<{ id: number; schedule: string; tick: string; fired_by: string; job_id: string; finished_at: string | null; summary: string | null }[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM schedule_runs ORDER BY tick, id');
  return rows as never;
}

async function clearQueues(): Promise<void> {
  const keys = await app.redis.keys(`${app.prefix}:*`);
  if (keys.length > 0) await app.redis.del(...keys);
}

beforeEach(async () => {
  for (const table of ['schedule_runs', 'operator_actions', 'ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool.query(`DELETE FROM ${table}`);
  }
  await clearQueues();
});

describe('several schedulers', () => {
  it('two scheduler processes on a per-second schedule produce exactly one run row and one job per tick', async () => {
    const env = { ...processEnv, RECON_CRON: '* * * * * *', CAMPAIGN_CRON: '* * * * * *', LOG_LEVEL: 'debug' };
    const schedulers = [startCliLogged(['scheduler'], env), startCliLogged(['scheduler'], env)];
    try {
      // Both must be live for a few ticks: each logs its start, then we wait for later ticks.
      await eventually(async () => schedulers.every((s) => s.log().includes('scheduler started')), undefined, 'both schedulers started');
      const since = Date.now();
      await eventually(async () => {
        const cronTicks = (await scheduleRuns()).filter((r) => r.fired_by === 'cron' && fromShanghai(r.tick).getTime() > since);
        return cronTicks.filter((r) => r.schedule === 'recon').length >= 3 && cronTicks.filter((r) => r.schedule === 'campaign').length >= 3;
      }, undefined, 'three ticks of each schedule with both schedulers live');
    } finally {
      for (const s of schedulers) s.child.kill('SIGTERM');
    }
    expect(await Promise.all(schedulers.map((s) => exited(s.child)))).toEqual([0, 0]);

    const rows = await scheduleRuns();
    // The two processes really competed for the same ticks, and each tick went to one of them.
    expect(schedulers.some((s) => s.log().includes('tick already claimed by another scheduler'))).toBe(true);
    for (const schedule of ['recon', 'campaign']) {
      const ticks = rows.filter((r) => r.schedule === schedule).map((r) => fromShanghai(r.tick).getTime());
      expect(new Set(ticks).size).toBe(ticks.length);
      // Every second from the first cron tick to the last has its run: none lost between the two.
      const cron = rows.filter((r) => r.schedule === schedule && r.fired_by === 'cron').map((r) => fromShanghai(r.tick).getTime());
      for (let t = Math.min(...cron); t <= Math.max(...cron); t += 1000) expect(ticks).toContain(t);
    }
    const jobs = await app.queues.get('schedules').getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children']);
    expect(jobs.map((j) => j.id).sort()).toEqual(rows.map((r) => r.job_id).sort());
    for (const job of jobs) {
      const row = rows.find((r) => r.job_id === job.id)!;
      expect(job.data).toEqual({ scheduleRunId: row.id, schedule: row.schedule, tick: row.tick });
    }
  });
});

describe('catching up', () => {
  const daily: ScheduleDefinition[] = [
    { name: 'recon', variable: 'RECON_CRON', expression: '30 2 * * *', catchUpLimit: 7 },
    { name: 'campaign', variable: 'CAMPAIGN_CRON', expression: '30 3 * * *', catchUpLimit: 1 },
  ];

  it('claims every missed reconciliation day and the latest campaign tick within CATCHUP_HOURS, once', async () => {
    const now = fromShanghai('2026-11-23 05:00:00');
    expect(await catchUp(app, daily, now)).toBe(4);
    expect(await catchUp(app, daily, now)).toBe(0);
    expect((await scheduleRuns()).map((r) => `${r.schedule} ${r.tick} ${r.fired_by}`)).toEqual([
      'recon 2026-11-21 02:30:00 catch-up', 'recon 2026-11-22 02:30:00 catch-up', 'recon 2026-11-23 02:30:00 catch-up',
      'campaign 2026-11-23 03:30:00 catch-up',
    ]);

    // Down for a day: the one recon day and campaign tick it missed, nothing older again.
    expect(await catchUp(app, daily, fromShanghai('2026-11-24 09:00:00'))).toBe(2);
    expect((await scheduleRuns()).length).toBe(6);
  });

  it('a scheduler process that starts after being down enqueues last night\'s ticks, and a restart enqueues nothing more', async () => {
    const env = { ...processEnv, RECON_CRON: '30 2 * * *', CAMPAIGN_CRON: '30 3 * * *' };
    const startAndStop = async () => {
      const s = startCliLogged(['scheduler'], { ...env, LOG_LEVEL: 'info' });
      await eventually(async () => s.log().includes('scheduler started'), undefined, 'scheduler started');
      s.child.kill('SIGTERM');
      expect(await exited(s.child)).toBe(0);
    };
    await startAndStop();
    const rows = await scheduleRuns();
    const campaign = rows.filter((r) => r.schedule === 'campaign');
    expect(campaign).toHaveLength(1);
    expect(campaign[0]!.tick.slice(11)).toBe('03:30:00');
    expect(Date.now() - fromShanghai(campaign[0]!.tick).getTime()).toBeLessThan(24 * 3600_000);
    const recon = rows.filter((r) => r.schedule === 'recon');
    expect(recon.length).toBeGreaterThanOrEqual(3);
    expect(recon.every((r) => r.fired_by === 'catch-up' && r.tick.endsWith('02:30:00'))).toBe(true);
    expect(await app.queues.get('schedules').getWaitingCount()).toBe(rows.length);

    await startAndStop();
    expect(await scheduleRuns()).toHaveLength(rows.length);
  });
});

describe('the ticks\' work', () => {
  let workers: RunningWorkers | undefined;
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  async function runTick(tick: string, schedule: 'campaign' | 'recon' = 'campaign'): Promise<number> {
    const scheduleRunId = await enqueueTick(app, schedule, tick, 'cron');
    expect(scheduleRunId).not.toBeNull();
    workers ??= startWorkers(app, handlers);
    await eventually(async () => (await scheduleRuns()).find((r) => r.id === scheduleRunId)?.finished_at, undefined, 'the tick to finish');
    return scheduleRunId!;
  }

  it('runs `campaign run` and only then retries INSUFFICIENT_BALANCE orders, for open campaigns only', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 0 });
    const older = await addPerson(pool, { psnNo: 'R1' });
    await bind(pool, payer, older);
    const campaignId = await addCampaign(app, { windowStart: '2026-09-01', windowEnd: '2026-12-31' });
    const closedId = await addCampaign(app, { windowStart: '2025-09-01', windowEnd: '2025-12-31' });
    await runToEnd(app, { campaignId, kind: 'run' });
    expect((await ordersByPsn(pool, campaignId)).R1!.code).toBe('INSUFFICIENT_BALANCE');

    // One premium arrives, and a new beneficiary is bound. R1 sorts first, so a retry that ran
    // before (or together with) the plan-and-pay run would take the money from R2.
    await credit(pool, payer, 40000);
    await bind(pool, payer, await addPerson(pool, { psnNo: 'R2' }));
    const scheduleRunId = await runTick('2026-11-23 03:30:00');

    expect(await ordersByPsn(pool, campaignId)).toEqual({
      R1: { status: 'failed', code: 'INSUFFICIENT_BALANCE', payments: '' },
      R2: { status: 'paid', code: null, payments: 'E1:40000' },
    });
    const [runs] = await pool.query<RowDataPacket[]>(
      "SELECT id, kind, requested_by, created_at, finished_at FROM campaign_runs WHERE JSON_VALUE(params, '$.origin') = ? ORDER BY id",
      [`schedule-${scheduleRunId}`],
    );
    expect(runs.map((r) => [r.kind, r.requested_by])).toEqual([['run', 'scheduler'], ['retry', 'scheduler']]);
    expect(runs[1]!.created_at >= runs[0]!.finished_at).toBe(true);
    const [[attempts]] = await pool.query<RowDataPacket[]>("SELECT attempts FROM premium_orders WHERE psn_no = 'R1'");
    expect(attempts!.attempts).toBe(2);
    const summary = JSON.parse((await scheduleRuns()).find((r) => r.id === scheduleRunId)!.summary!);
    expect(summary).toEqual({ date: '2026-11-23', campaigns: [{ campaignId, state: 'completed' }] });
    const [closedRuns] = await pool.query<RowDataPacket[]>('SELECT id FROM campaign_runs WHERE campaign_id = ?', [closedId]);
    expect(closedRuns).toEqual([]);

    // The same tick again is refused by its run row; the next day's retry pays once the month's credit is in.
    expect(await enqueueTick(app, 'campaign', '2026-11-23 03:30:00', 'catch-up')).toBeNull();
    await credit(pool, payer, 40000);
    await runTick('2026-11-24 03:30:00');
    expect((await ordersByPsn(pool, campaignId)).R1).toEqual({ status: 'paid', code: null, payments: 'E1:40000' });
    await expectLedgerConsistent(pool);
  });

  it('the nightly tick reconciles the business day before it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ops-recon-'));
    process.env.INBOX_DIR = path.join(root, 'inbox');
    process.env.OUTBOX_DIR = path.join(root, 'outbox');
    resetEnvCache();
    await pool.query('DELETE FROM settlements');
    // A settlement of 2026-11-22 that no institution reported: the only discrepancy of that day.
    await pool.query(
      `INSERT INTO settlements (setl_id, mdtrt_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date,
                                medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay)
       VALUES ('S1', 'M1', 1, 'P1', 1, 'H001', '2026-11-22 10:00:00', '2026-11-22', 2000, 1000, 1000, 0, 0)`,
    );
    const scheduleRunId = await runTick('2026-11-23 02:30:00', 'recon');

    const summary = JSON.parse((await scheduleRuns()).find((r) => r.id === scheduleRunId)!.summary!);
    expect(summary).toMatchObject({ date: '2026-11-22', discrepancies: 1 });
    const [outcomes] = await pool.query<RowDataPacket[]>('SELECT business_date, setl_id, code FROM recon_outcomes');
    expect(outcomes.map((o) => [o.business_date, o.setl_id, o.code])).toEqual([['2026-11-22', 'S1', 'MISSING_IN_FILE']]);
    expect(existsSync(path.join(root, 'outbox', 'recon_20261122.csv'))).toBe(true);
  });
});
