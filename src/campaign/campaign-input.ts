import { parseYuan, type Fen } from '../domain/money.ts';
import { parseDate } from '../domain/time.ts';
import type { CampaignMode } from '../domain/premium.ts';
import type { CampaignRow } from './campaign.repository.ts';

export class InvalidCampaignError extends Error {
  override name = 'InvalidCampaignError';
}

const CATEGORIES = ['adult', 'minor', 'student', 'senior'] as const;

export interface CampaignArgs {
  year: string;
  province: string;
  window: string;
  premium: string;
  mode?: string;
}

/** Validates `campaign create` arguments: every paying category priced > 0, a real window, a 2-digit province. */
export function parseCampaignArgs(args: CampaignArgs): Omit<CampaignRow, 'id'> {
  if (!/^\d{4}$/.test(args.year)) throw new InvalidCampaignError(`--year must be a 4-digit year, got '${args.year}'`);
  if (!/^\d{2}$/.test(args.province)) throw new InvalidCampaignError(`--province must be 2 digits (the first two of admdvs), got '${args.province}'`);
  const [start, end, extra] = args.window.split('..');
  const windowStart = parseDate(start ?? '');
  const windowEnd = parseDate(end ?? '');
  if (!windowStart || !windowEnd || extra !== undefined || windowEnd < windowStart) {
    throw new InvalidCampaignError(`--window must be START..END dates (YYYY-MM-DD..YYYY-MM-DD, END not before START), got '${args.window}'`);
  }
  const mode = (args.mode ?? 'single') as CampaignMode;
  if (mode !== 'single' && mode !== 'split') throw new InvalidCampaignError(`--mode must be single or split, got '${args.mode}'`);

  const premiums: Partial<Record<(typeof CATEGORIES)[number], Fen>> = {};
  for (const pair of args.premium.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [category, amount] = pair.split('=').map((s) => s.trim());
    const fen = parseYuan(amount ?? '');
    if (category === 'exempt') {
      // Exempt residents pay nothing and get no order; accept an explicit zero for completeness.
      if (fen !== 0) throw new InvalidCampaignError('--premium exempt can only be 0: exempt residents pay nothing');
      continue;
    }
    if (!CATEGORIES.includes(category as (typeof CATEGORIES)[number])) throw new InvalidCampaignError(`--premium: unknown category '${category}' (expected ${CATEGORIES.join(', ')})`);
    if (premiums[category as (typeof CATEGORIES)[number]] !== undefined) throw new InvalidCampaignError(`--premium: category '${category}' given twice`);
    if (fen === null || fen <= 0) throw new InvalidCampaignError(`--premium ${category}: premium must be a positive yuan amount with at most 2 decimals, got '${amount ?? ''}'`);
    premiums[category as (typeof CATEGORIES)[number]] = fen;
  }
  const missing = CATEGORIES.filter((c) => premiums[c] === undefined);
  if (missing.length > 0) throw new InvalidCampaignError(`--premium: missing category ${missing.join(', ')}`);
  return { year: Number(args.year), province: args.province, windowStart, windowEnd, mode, premiums: premiums as CampaignRow['premiums'] };
}
