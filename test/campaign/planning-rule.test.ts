import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCampaign, insertCampaign, planOrders, type CampaignRow } from '../../src/campaign/campaign.repository.ts';
import { generateProvince } from '../../src/demo/province.ts';
import { insertPremiumRules } from '../../src/campaign/premium-schedule.ts';
import { PREMIUM_CATEGORIES, shouldPlanOrder, type Beneficiary } from '../../src/domain/premium.ts';
import { premiumFor, type PremiumRule } from '../../src/domain/premium-schedule.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';
import { importFile } from '../support/import-files.ts';

const db = await useTestDb('planning_rule');
const AT = '2026-06-01 00:00:00';
let campaign: CampaignRow;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'planning-rule-'));
  const files = await generateProvince({ families: 400, dir, creditDate: '2026-06-01' });
  for (const kind of ['persons', 'accounts', 'bindings'] as const) await importFile(db, kind, files[kind]);

  // The edges a generated province may not hold: each person says which rule it tests.
  const payer = await addPerson(db.pool, { psnNo: 'ZP1', balance: 100000 });
  const edges: [string, Parameters<typeof addPerson>[1], Parameters<typeof bind>[3]][] = [
    ['ZR01', { psnNo: 'ZR01', admdvs: '440106' }, {}], // another province
    ['ZR02', { psnNo: 'ZR02', status: 'suspended' }, {}], // lapsed: planned, paying re-enrols them
    ['ZR11', { psnNo: 'ZR11', status: 'terminated' }, {}],
    ['ZR12', { psnNo: 'ZR12', tier: 'tekun' }, {}], // fully subsidised by the schedule: no order
    ['ZR03', { psnNo: 'ZR03', category: 'exempt' }, {}],
    ['ZR04', { psnNo: 'ZR04' }, { boundAt: '2026-06-01 00:00:01' }], // bound a second after planning
    ['ZR05', { psnNo: 'ZR05' }, { boundAt: AT }], // bound at the planning time: in force
    ['ZR06', { psnNo: 'ZR06' }, { revokedAt: AT }], // revoked at the planning time: no longer in force
    ['ZR07', { psnNo: 'ZR07' }, { revokedAt: '2026-06-01 00:00:01' }],
    ['ZR08', { psnNo: 'ZR08', insutype: '310' }, {}], // an employee as beneficiary
    ['ZR09', { psnNo: 'ZR09', category: 'senior' }, { relationship: 'other' }], // planned: the relationship is the charge's rule
  ];
  for (const [, person, binding] of edges) await bind(db.pool, payer, await addPerson(db.pool, person), binding);
  await addPerson(db.pool, { psnNo: 'ZR10' }); // no binding at all

  const id = await insertCampaign(db.pool, {
    year: 2027, province: '51', windowStart: '2026-09-01', windowEnd: '2026-12-31', mode: 'single',
    premiums: { adult: 40000, minor: 38000, student: 37000, senior: 36000 },
  });
  campaign = (await findCampaign(db.pool, id))!;
});

describe('planning', () => {
  it('creates an order exactly for the persons shouldPlanOrder names, at the premium of their category', async () => {
    expect(await planOrders(db.pool, campaign, AT)).toBeGreaterThan(300);
    await expectPlannedAsTheRuleSays(campaign, []);
  });

  it('with a premium schedule, at the premium premiumFor gives (tier first, then the longest prefix), and none where it is 0', async () => {
    const rules: PremiumRule[] = [
      { admdvsPrefix: '5102', residentCategory: 'adult', subsidyTier: '', premium: 36000 },
      { admdvsPrefix: '510203', residentCategory: 'adult', subsidyTier: '', premium: 35000 },
      { admdvsPrefix: '5102', residentCategory: 'minor', subsidyTier: '', premium: 0 },
      ...PREMIUM_CATEGORIES.map((c) => ({ admdvsPrefix: '51', residentCategory: c, subsidyTier: 'dibao', premium: 5000 })),
      { admdvsPrefix: '510105', residentCategory: 'adult', subsidyTier: 'dibao', premium: 1000 },
      ...PREMIUM_CATEGORIES.map((c) => ({ admdvsPrefix: '51', residentCategory: c, subsidyTier: 'tekun', premium: 0 })),
    ];
    const id = await insertCampaign(db.pool, { ...campaign, year: 2028 });
    await insertPremiumRules(db.pool, id, rules);
    const scheduled = (await findCampaign(db.pool, id))!;
    expect(await planOrders(db.pool, scheduled, AT)).toBeGreaterThan(300);
    const premiums = await expectPlannedAsTheRuleSays(scheduled, rules);
    // The city row, the county row beating it, and the province-wide tier row all occur.
    for (const premium of [36000, 35000, 5000]) expect([...premiums.values()]).toContain(premium);
    expect(premiums.has('ZR12')).toBe(false);
  });
});

/** Plans are compared person by person with the domain's rules; returns the planned premiums by psn_no. */
async function expectPlannedAsTheRuleSays(campaign: CampaignRow, rules: readonly PremiumRule[]): Promise<Map<string, number>> {
  const [persons] = await db.pool.query<RowDataPacket[]>('SELECT id, psn_no, insutype, admdvs, status, resident_category, subsidy_tier FROM persons');
  const [bindings] = await db.pool.query<RowDataPacket[]>('SELECT beneficiary_id, bound_at, revoked_at FROM bindings');
  const bindingsOf = new Map<number, { boundAt: string; revokedAt: string | null }[]>();
  for (const b of bindings) bindingsOf.set(b.beneficiary_id, [...(bindingsOf.get(b.beneficiary_id) ?? []), { boundAt: b.bound_at, revokedAt: b.revoked_at }]);
  const expected = new Map<string, number>();
  for (const p of persons) {
    const person: Beneficiary = { id: p.id, psnNo: p.psn_no, insutype: p.insutype, admdvs: p.admdvs, status: p.status, residentCategory: p.resident_category };
    if (!shouldPlanOrder(person, bindingsOf.get(p.id) ?? [], campaign.province, AT)) continue;
    const premium = premiumFor({ admdvs: p.admdvs, residentCategory: p.resident_category, subsidyTier: p.subsidy_tier }, rules, campaign.premiums);
    if (premium > 0) expected.set(p.psn_no, premium);
  }

  const [orders] = await db.pool.query<RowDataPacket[]>('SELECT psn_no, premium FROM premium_orders WHERE campaign_id = ?', [campaign.id]);
  const planned = new Map(orders.map((o) => [o.psn_no as string, o.premium as number]));
  expect(planned).toEqual(expected);
  // The generated province is varied enough for the comparison to mean something.
  expect(persons.length - planned.size).toBeGreaterThan(300);
  for (const psnNo of ['ZR02', 'ZR05', 'ZR07', 'ZR09']) expect(planned.has(psnNo)).toBe(true);
  for (const psnNo of ['ZR01', 'ZR03', 'ZR04', 'ZR06', 'ZR08', 'ZR10', 'ZR11']) expect(planned.has(psnNo)).toBe(false);
  return planned;
}
