import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertPremiumRules, readPremiumSchedule } from '../../src/campaign/premium-schedule.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';
import { ordersByPsn } from '../support/orders.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('premium_schedule');
const app = useTestApp(db.url);
const pool = db.pool;
const dir = mkdtempSync(path.join(tmpdir(), 'premium-schedule-'));

function scheduleFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const SCHEDULE = [
  'admdvs_prefix,resident_category,subsidy_tier,premium',
  '51,adult,,380',
  '5101,adult,,360',
  '510104,adult,,350.50',
  '51,adult,dibao,100',
  '510104,adult,dibao,80',
  '5101,adult,tekun,0',
  '510105,minor,,0',
  '',
].join('\n');

async function premiumsOf(campaignId: number): Promise<Record<string, [string, number, string | null]>> {
  const [rows] = await pool.query('SELECT psn_no, status, premium, subsidy_tier FROM premium_orders WHERE campaign_id = ? ORDER BY psn_no', [campaignId]);
  return Object.fromEntries((rows as { psn_no: string; status: string; premium: number; subsidy_tier: string | null }[]).map((r) => [r.psn_no, [r.status, r.premium, r.subsidy_tier]]));
}

describe('premium schedules (SPEC 10)', () => {
  it('prices each resident by tier first, then the longest admdvs prefix, else the category premium; 0 means no order', async () => {
    const payer = await addPerson(pool, { psnNo: 'E1', balance: 10_000_000 });
    const residents: Parameters<typeof addPerson>[1][] = [
      { psnNo: 'PROV', admdvs: '513301' }, // province row: 380
      { psnNo: 'CITY', admdvs: '510105' }, // city row beats province: 360
      { psnNo: 'COUNTY', admdvs: '510104' }, // county row beats city: 350.50
      { psnNo: 'DIBAO1', admdvs: '510105', tier: 'dibao' }, // province-wide tier row beats the city row: 100
      { psnNo: 'DIBAO2', admdvs: '510104', tier: 'dibao' }, // among tier rows the county one wins: 80
      { psnNo: 'TEKUN1', admdvs: '510104', tier: 'tekun' }, // city tier row of 0 beats the county row: no order
      { psnNo: 'TEKUN2', admdvs: '513301', tier: 'tekun' }, // tier row only for another city: province row 380
      { psnNo: 'UNKNOWN', admdvs: '510104', tier: 'xyz' }, // a tier no row names: as without a tier, 350.50
      { psnNo: 'MINOR1', admdvs: '510104', category: 'minor' }, // no row for the category: --premium 250
      { psnNo: 'MINOR2', admdvs: '510105', category: 'minor' }, // county row of 0: no order
      { psnNo: 'LAPSED', admdvs: '510105', status: 'suspended' }, // lapsed resident: planned and charged, 360
      { psnNo: 'GONE', admdvs: '510105', status: 'terminated' }, // never
    ];
    for (const spec of residents) await bind(pool, payer, await addPerson(pool, spec));
    const campaignId = await addCampaign(app, { premiums: { adult: 40000, minor: 25000, student: 20000, senior: 30000 } });
    await insertPremiumRules(pool, campaignId, await readPremiumSchedule(scheduleFile('schedule.csv', SCHEDULE), '51'));

    await runToEnd(app, { campaignId, kind: 'run' });

    expect(await premiumsOf(campaignId)).toEqual({
      CITY: ['paid', 36000, null],
      COUNTY: ['paid', 35050, null],
      DIBAO1: ['paid', 10000, 'dibao'],
      DIBAO2: ['paid', 8000, 'dibao'],
      LAPSED: ['paid', 36000, null],
      MINOR1: ['paid', 25000, null],
      PROV: ['paid', 38000, null],
      TEKUN2: ['paid', 38000, 'tekun'],
      UNKNOWN: ['paid', 35050, 'xyz'],
    });
    const orders = await ordersByPsn(pool, campaignId);
    expect(orders.DIBAO2!.payments).toBe('E1:8000');
    expect(orders.COUNTY!.payments).toBe('E1:35050');
  });

  it('campaign status shows orders and money per category and tier', async () => {
    const [[campaign]] = (await pool.query('SELECT MAX(campaign_id) AS id FROM premium_orders')) as unknown as [{ id: number }[]];
    const status = await runCli(['campaign', 'status', String(campaign!.id), '--json'], { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix });
    expect(status.code).toBe(0);
    const tiers = (JSON.parse(status.stdout) as { by_category_and_tier: Record<string, unknown>[] }).by_category_and_tier;
    expect(tiers.map((t) => [t.category, t.subsidy_tier, t.orders, t.collected])).toEqual([
      ['adult', null, 4, '1450.50'],
      ['adult', 'dibao', 2, '180.00'],
      ['adult', 'tekun', 1, '380.00'],
      ['adult', 'xyz', 1, '350.50'],
      ['minor', null, 1, '250.00'],
    ]);
  });

  it('rejects a bad schedule with one line naming file, row and column, and creates no campaign', async () => {
    const header = 'admdvs_prefix,resident_category,subsidy_tier,premium\n';
    const cases: [string, string][] = [
      ['51,adult,,400\n513,adult,,300\n', 'bad.csv:2 admdvs_prefix: must be 2, 4 or 6 digits'],
      ['4401,adult,,300\n', "bad.csv:1 admdvs_prefix: is outside the campaign's province 51"],
      ['51,adult,,-1\n', 'bad.csv:1 premium: must be 0 or more'],
      ['51,adult,,12.345\n', 'bad.csv:1 premium: "12.345" is not an amount in yuan with at most 2 decimals'],
      ['51,adult,DiBao,100\n', 'bad.csv:1 subsidy_tier: "DiBao" is not a subsidy tier (1-32 of a-z, 0-9, _)'],
      ['51,child,,100\n', 'bad.csv:1 resident_category: "child" is not one of adult, minor, student, senior, exempt'],
      ['51,exempt,,10\n', 'bad.csv:1 premium: exempt residents pay nothing: only 0 is allowed'],
      ['5101,adult,dibao,100\n5101,adult,dibao,90\n', 'bad.csv:2 admdvs_prefix: same admdvs_prefix, resident_category and subsidy_tier as row 1'],
      ['51,adult,100\n', 'bad.csv:1 (row): wrong column count: 3 fields, header has 4'],
    ];
    for (const [rows, message] of cases) {
      await expect(readPremiumSchedule(scheduleFile('bad.csv', header + rows), '51')).rejects.toThrow(message);
    }
    await expect(readPremiumSchedule(scheduleFile('bad.csv', 'admdvs_prefix,resident_category,premium\n51,adult,1\n'), '51')).rejects.toThrow('missing required column subsidy_tier');

    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };
    const created = await runCli(['campaign', 'create', '--year', '2031', '--province', '51', '--window', '2026-09-01..2026-12-31',
      '--premium', 'adult=400,minor=400,student=400,senior=400', '--schedule', scheduleFile('bad.csv', `${header}51,adult,,-1\n`)], env);
    expect(created.code).toBe(1);
    expect(created.stderr.trim()).toBe('error: bad.csv:1 premium: must be 0 or more');
    const [rows] = await pool.query('SELECT id FROM campaigns WHERE year = 2031');
    expect(rows).toEqual([]);

    const ok = await runCli(['campaign', 'create', '--year', '2031', '--province', '51', '--window', '2026-09-01..2026-12-31',
      '--premium', 'adult=400,minor=400,student=400,senior=400', '--schedule', scheduleFile('good.csv', SCHEDULE)], env);
    expect(ok.code).toBe(0);
    const [rules] = await pool.query('SELECT COUNT(*) AS n FROM campaign_premium_rules WHERE campaign_id = ?', [Number(ok.stdout.trim())]);
    expect((rules as { n: number }[])[0]!.n).toBe(7);
  });
});
