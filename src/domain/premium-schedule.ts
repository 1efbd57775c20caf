import type { Fen } from './money.ts';
import type { PremiumCategory } from './premium.ts';

/** One row of a campaign's premium schedule (SPEC 10). */
export interface PremiumRule {
  /** 2, 4 or 6 digits: province, city or county. */
  admdvsPrefix: string;
  residentCategory: PremiumCategory;
  /** '' when the rule holds for every tier. */
  subsidyTier: string;
  /** 0: fully subsidised, no order. */
  premium: Fen;
}

/** A rule naming the tier beats every rule without one; among rules alike in that, the longest prefix. */
const strength = (rule: PremiumRule) => (rule.subsidyTier === '' ? 0 : 10) + rule.admdvsPrefix.length;

/**
 * The premium a resident owes (SPEC 10): the strongest schedule rule of their category whose prefix
 * starts their admdvs and whose tier is empty or theirs; no such rule, their category's premium.
 * Planning applies the same rule in SQL (`planOrderRange`); a test checks they agree.
 */
export function premiumFor(
  person: { admdvs: string; residentCategory: PremiumCategory; subsidyTier: string | null },
  rules: readonly PremiumRule[],
  premiums: Readonly<Record<PremiumCategory, Fen>>,
): Fen {
  let best: PremiumRule | undefined;
  for (const rule of rules) {
    if (rule.residentCategory !== person.residentCategory || !person.admdvs.startsWith(rule.admdvsPrefix)) continue;
    if (rule.subsidyTier !== '' && rule.subsidyTier !== person.subsidyTier) continue;
    if (!best || strength(rule) > strength(best)) best = rule;
  }
  return best ? best.premium : premiums[person.residentCategory];
}
