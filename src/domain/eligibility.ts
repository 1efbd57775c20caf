import type { Fen } from './money.ts';
import type { ShanghaiTime } from './time.ts';

export type Insutype = '310' | '390';
export type PersonStatus = 'active' | 'suspended' | 'terminated';
export type ResidentCategory = 'adult' | 'minor' | 'student' | 'senior' | 'exempt';
export type Relationship =
  | 'spouse' | 'parent' | 'child' | 'sibling' | 'grandparent' | 'maternal_grandparent' | 'grandchild'
  | 'maternal_grandchild' | 'other';

export const CLOSE_RELATIVES: ReadonlySet<Relationship> = new Set([
  'spouse', 'parent', 'child', 'sibling', 'grandparent', 'maternal_grandparent', 'grandchild', 'maternal_grandchild',
]);

/** Why a binding cannot pay, in the order the rules are checked (SPEC 3); NO_PREMIUM_CONSENT only for premiums (SPEC 9). */
export const REFUSAL_REASONS = [
  'BINDING_INACTIVE', 'NOT_CLOSE_RELATIVE', 'CROSS_PROVINCE', 'PAYER_INACTIVE', 'PAYER_NOT_EMPLOYEE', 'NO_ACCOUNT', 'NO_PREMIUM_CONSENT',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface Person {
  id: number;
  psnNo: string;
  insutype: Insutype;
  admdvs: string;
  status: PersonStatus;
}

export interface Binding {
  payer: Person;
  /** Balance of the payer's personal account, or null when the payer has none. */
  payerBalance: Fen | null;
  relationship: Relationship;
  priority: number;
  boundAt: ShanghaiTime;
  revokedAt: ShanghaiTime | null;
  /** Whether the payer authorised premium payments for this relative; only premiums read it (absent: authorised). */
  premiumConsent?: boolean;
}

/** What the money is for: a premium needs the payer's premium consent, a medical bill does not. */
export type Purpose = 'premium' | 'medical';

export const provinceOf = (admdvs: string): string => admdvs.slice(0, 2);

/** Keys compare in byte order; psn_no is ASCII, where UTF-16 order is byte order. */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function isBindingActive(binding: Pick<Binding, 'boundAt' | 'revokedAt'>, at: ShanghaiTime): boolean {
  return binding.boundAt <= at && (binding.revokedAt === null || at < binding.revokedAt);
}

/** The first rule of section 1 this binding breaks at time `at`, or null when its payer may pay. */
export function refusalOf(beneficiary: Person, binding: Binding, at: ShanghaiTime, purpose: Purpose): RefusalReason | null {
  if (!isBindingActive(binding, at)) return 'BINDING_INACTIVE';
  if (!CLOSE_RELATIVES.has(binding.relationship)) return 'NOT_CLOSE_RELATIVE';
  if (provinceOf(binding.payer.admdvs) !== provinceOf(beneficiary.admdvs)) return 'CROSS_PROVINCE';
  if (binding.payer.status !== 'active') return 'PAYER_INACTIVE';
  if (binding.payer.insutype !== '310') return 'PAYER_NOT_EMPLOYEE';
  if (binding.payerBalance === null) return 'NO_ACCOUNT';
  if (purpose === 'premium' && binding.premiumConsent === false) return 'NO_PREMIUM_CONSENT';
  return null;
}

/** Deduction order (扣款顺序): priority, then earlier bound_at, then smaller payer psn_no. */
export function compareDeductionOrder(a: Binding, b: Binding): number {
  return a.priority - b.priority || byteOrder(a.boundAt, b.boundAt) || byteOrder(a.payer.psnNo, b.payer.psnNo);
}

export interface PayerScreening {
  /** Bindings whose payer may pay, in deduction order. */
  eligible: Binding[];
  /** Every other binding with its first failing rule, in deduction order. */
  refused: { binding: Binding; reason: RefusalReason }[];
}

/** Sorts a beneficiary's bindings into payers who may pay at `at` and refusals. The beneficiary's own status is the caller's rule. */
export function screenPayers(beneficiary: Person, bindings: readonly Binding[], at: ShanghaiTime, purpose: Purpose): PayerScreening {
  const screening: PayerScreening = { eligible: [], refused: [] };
  for (const binding of [...bindings].sort(compareDeductionOrder)) {
    const reason = refusalOf(beneficiary, binding, at, purpose);
    if (reason) screening.refused.push({ binding, reason });
    else screening.eligible.push(binding);
  }
  return screening;
}
