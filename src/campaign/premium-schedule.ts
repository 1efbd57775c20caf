import path from 'node:path';
import { openCsv } from '../csv/read-csv.ts';
import type { PremiumRule } from '../domain/premium-schedule.ts';
import { amount, oneOf, optionalSubsidyTier } from '../imports/fields.ts';
import { RowError } from '../imports/row.error.ts';
import type { Queryable } from '../db/client.ts';
import { InvalidCampaignError } from './campaign-input.ts';

export type { PremiumRule };

const COLUMNS = ['admdvs_prefix', 'resident_category', 'subsidy_tier', 'premium'] as const;
const CATEGORIES = ['adult', 'minor', 'student', 'senior', 'exempt'] as const;

function parseRule(field: (column: (typeof COLUMNS)[number]) => string, province: string): PremiumRule | null {
  const prefix = field('admdvs_prefix');
  if (!/^\d{2}(\d{2}){0,2}$/.test(prefix)) throw new RowError('admdvs_prefix', 'must be 2, 4 or 6 digits');
  if (!prefix.startsWith(province)) throw new RowError('admdvs_prefix', `is outside the campaign's province ${province}`);
  const category = oneOf('resident_category', field('resident_category'), CATEGORIES);
  const subsidyTier = optionalSubsidyTier('subsidy_tier', field('subsidy_tier')) ?? '';
  const premium = amount('premium', field('premium'));
  if (premium < 0) throw new RowError('premium', 'must be 0 or more');
  if (category === 'exempt') {
    // Exempt residents never get an order; a zero row for them says nothing new.
    if (premium !== 0) throw new RowError('premium', 'exempt residents pay nothing: only 0 is allowed');
    return null;
  }
  return { admdvsPrefix: prefix, residentCategory: category, subsidyTier, premium };
}

/**
 * Reads a premium schedule CSV (any accepted encoding). Unlike an import, a schedule is all or
 * nothing: the first bad row throws one line naming file, row and column, and no campaign is made.
 */
export async function readPremiumSchedule(file: string, province: string): Promise<PremiumRule[]> {
  const csv = await openCsv(file, { required: COLUMNS });
  const name = path.basename(file);
  const rules: PremiumRule[] = [];
  const rowOfKey = new Map<string, number>();
  for await (const record of csv.records) {
    const fail = (column: string | null, reason: string): never => {
      throw new InvalidCampaignError(`${name}:${record.row} ${column ?? '(row)'}: ${reason}`);
    };
    if (record.error !== undefined) fail(null, record.error);
    const fields = record.fields!;
    if (fields.length !== csv.width) fail(null, `wrong column count: ${fields.length} fields, header has ${csv.width}`);
    let rule: PremiumRule | null;
    try {
      rule = parseRule((column) => fields[csv.columns[column]] ?? '', province);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      return fail(error.column, error.reason);
    }
    if (!rule) continue;
    const key = `${rule.admdvsPrefix} ${rule.residentCategory} ${rule.subsidyTier}`;
    const earlier = rowOfKey.get(key);
    if (earlier !== undefined) fail('admdvs_prefix', `same admdvs_prefix, resident_category and subsidy_tier as row ${earlier}`);
    rowOfKey.set(key, record.row);
    rules.push(rule);
  }
  return rules;
}

export async function insertPremiumRules(db: Queryable, campaignId: number, rules: readonly PremiumRule[]): Promise<void> {
  if (rules.length === 0) return;
  await db.query('INSERT INTO campaign_premium_rules (campaign_id, admdvs_prefix, resident_category, subsidy_tier, premium) VALUES ?', [
    rules.map((r) => [campaignId, r.admdvsPrefix, r.residentCategory, r.subsidyTier, r.premium]),
  ]);
}
