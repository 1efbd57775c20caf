import { describe, expect, it } from 'vitest';
import { finishAction, finishRunActions, listActions, recordAction } from '../../src/audit/audit.repository.ts';
import { claimTick, finishScheduleRun, listUnfinishedScheduleRuns, openCampaignIds, ticksOfSchedule } from '../../src/operations/schedule-runs.repository.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';

const db = await useTestDb('ops_repositories');
const app = useTestApp(db.url);
const pool = db.pool;

describe('audit repository', () => {
  it('appends actions and records how many orders they touched, newest first', async () => {
    const actor = { operator: 'alice', source: 'cli' as const };
    const first = await recordAction(pool, actor, 'recon.run', { businessDate: '2026-11-22' });
    await finishAction(pool, first);
    const [campaignRun] = (await pool.query('INSERT INTO campaign_runs (campaign_id, kind, requested_by) VALUES (?, ?, ?)', [await addCampaign(app), 'run', 'alice'])) as unknown as [{ insertId: number }];
    await recordAction(pool, { operator: 'bob', source: 'api' }, 'campaign.run', { campaignId: 1 }, campaignRun.insertId);
    await finishRunActions(pool, campaignRun.insertId, 42);
    const actions = await listActions(pool);
    expect(actions.map((a) => [a.operator, a.source, a.action, a.params, a.ordersTouched, a.finishedAt !== null])).toEqual([
      ['bob', 'api', 'campaign.run', { campaignId: 1 }, 42, true],
      ['alice', 'cli', 'recon.run', { businessDate: '2026-11-22' }, null, true],
    ]);
  });
});

describe('schedule runs repository', () => {
  it('claims a tick once, lists it unfinished until its summary is recorded', async () => {
    const claim = { schedule: 'recon' as const, tick: '2026-11-23 02:30:00', firedBy: 'cron' as const, jobId: 'tick-recon-20261123023000' };
    const id = await claimTick(pool, claim);
    expect(id).toBeGreaterThan(0);
    expect(await claimTick(pool, { ...claim, firedBy: 'catch-up' })).toBeNull();
    expect(await ticksOfSchedule(pool, 'recon', '2026-11-23 00:00:00')).toEqual(['2026-11-23 02:30:00']);
    expect((await listUnfinishedScheduleRuns(pool)).map((r) => r.id)).toEqual([id]);
    await finishScheduleRun(pool, id!, { files: 0 });
    expect(await listUnfinishedScheduleRuns(pool)).toEqual([]);
  });

  it('names the campaigns whose window holds a date', async () => {
    const open = await addCampaign(app, { windowStart: '2026-09-01', windowEnd: '2026-12-31', year: 2031 });
    await addCampaign(app, { windowStart: '2027-09-01', windowEnd: '2027-12-31', year: 2032 });
    expect(await openCampaignIds(pool, '2026-11-23')).toContain(open);
    expect(await openCampaignIds(pool, '2026-08-31')).not.toContain(open);
  });
});
