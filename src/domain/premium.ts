import { byteOrder, isBindingActive, provinceOf, screenPayers, type Binding, type Person, type ResidentCategory } from './eligibility.ts';
import { formatYuan, type Fen } from './money.ts';
import type { ShanghaiTime } from './time.ts';

export type CampaignMode = 'single' | 'split';
export const PREMIUM_FAILURE_CODES = ['INSUFFICIENT_BALANCE', 'WRONG_PAYEE', 'BENEFICIARY_INELIGIBLE'] as const;
export type PremiumFailureCode = (typeof PREMIUM_FAILURE_CODES)[number];
/** A skipped order's code when the tax bureau reports the premium paid through another channel: never charged. */
export const ALREADY_PAID = 'ALREADY_PAID';

/** Resident statuses a campaign collects from: a lapsed (suspended) resident re-enrols by paying; terminated never. */
export const PREMIUM_STATUSES = ['active', 'suspended'] as const;

export interface Beneficiary extends Person {
  residentCategory: ResidentCategory | null;
}

/** The categories a campaign collects a premium from (the others: exempt, or none for employees). */
export const PREMIUM_CATEGORIES = ['adult', 'minor', 'student', 'senior'] as const;
export type PremiumCategory = (typeof PREMIUM_CATEGORIES)[number];

const isPremiumCategory = (category: ResidentCategory | null): category is PremiumCategory =>
  (PREMIUM_CATEGORIES as readonly (ResidentCategory | null)[]).includes(category);

/** Who a campaign collects from: planning creates an order only for these, charging re-checks it. */
export function isPremiumBeneficiary(person: Beneficiary, province: string): boolean {
  return (PREMIUM_STATUSES as readonly string[]).includes(person.status) && person.insutype === '390' && provinceOf(person.admdvs) === province
    && isPremiumCategory(person.residentCategory);
}

/**
 * Planning's rule: an order for every beneficiary the campaign collects from who has a binding in
 * force at the planning time. Planning applies it in SQL, a province range per statement
 * (`planOrderRange`); a test checks the two agree person by person on a generated province.
 */
export function shouldPlanOrder(person: Beneficiary, bindings: readonly Pick<Binding, 'boundAt' | 'revokedAt'>[], province: string, at: ShanghaiTime): boolean {
  return isPremiumBeneficiary(person, province) && bindings.some((b) => isBindingActive(b, at));
}

export interface OrderToCharge {
  orderId: number;
  beneficiary: Beneficiary;
  premium: Fen;
  bindings: readonly Binding[];
}

export interface Payment {
  payerId: number;
  payerPsnNo: string;
  amount: Fen;
}

export type ChargeOutcome =
  | { orderId: number; status: 'paid'; payments: Payment[] }
  | { orderId: number; status: 'failed' | 'skipped'; code: PremiumFailureCode; detail: string };

/**
 * Decides how much each payer pays for one premium, given current balances. Pure: the caller
 * applies the payments to its balances.
 */
export function chargePremium(order: OrderToCharge, balances: ReadonlyMap<number, Fen>, mode: CampaignMode, province: string, at: ShanghaiTime): ChargeOutcome {
  const { orderId, beneficiary, premium } = order;
  if (!isPremiumBeneficiary(beneficiary, province)) {
    return { orderId, status: 'skipped', code: 'BENEFICIARY_INELIGIBLE', detail: `beneficiary is ${beneficiary.status}, insutype ${beneficiary.insutype}, admdvs ${beneficiary.admdvs}, category ${beneficiary.residentCategory ?? 'none'}` };
  }
  const { eligible, refused } = screenPayers(beneficiary, order.bindings, at, 'premium');
  if (eligible.length === 0) {
    const detail = refused.map(({ binding, reason }) => `${binding.payer.psnNo}:${reason}`).join(';');
    return { orderId, status: 'failed', code: 'WRONG_PAYEE', detail: detail || 'no bindings' };
  }
  const balanceOf = (b: Binding) => balances.get(b.payer.id) ?? 0;
  const payments: Payment[] = [];
  if (mode === 'single') {
    const payer = eligible.find((b) => balanceOf(b) >= premium);
    if (payer) payments.push({ payerId: payer.payer.id, payerPsnNo: payer.payer.psnNo, amount: premium });
  } else {
    let remaining = premium;
    for (const b of eligible) {
      const amount = Math.min(balanceOf(b), remaining);
      // A zero contribution writes no entry and is not listed among the payments.
      if (amount > 0) payments.push({ payerId: b.payer.id, payerPsnNo: b.payer.psnNo, amount });
      remaining -= amount;
      if (remaining === 0) break;
    }
    if (remaining > 0) payments.length = 0;
  }
  if (payments.length === 0) {
    const available = eligible.map((b) => `${b.payer.psnNo}:${formatYuan(balanceOf(b))}`).join(';');
    return { orderId, status: 'failed', code: 'INSUFFICIENT_BALANCE', detail: `premium ${formatYuan(premium)}; ${mode} mode; balances ${available}` };
  }
  return { orderId, status: 'paid', payments };
}

/**
 * Charges the orders of one family cluster as SPEC 3's determinism rule demands: one at a time in
 * ascending beneficiary psn_no (byte order), each seeing the balances the previous ones left.
 * `balances` is updated in place.
 */
export function chargeCluster(orders: readonly OrderToCharge[], balances: Map<number, Fen>, mode: CampaignMode, province: string, at: ShanghaiTime): ChargeOutcome[] {
  const sorted = [...orders].sort((a, b) => byteOrder(a.beneficiary.psnNo, b.beneficiary.psnNo));
  return sorted.map((order) => {
    const outcome = chargePremium(order, balances, mode, province, at);
    if (outcome.status === 'paid') {
      for (const p of outcome.payments) balances.set(p.payerId, balances.get(p.payerId)! - p.amount);
    }
    return outcome;
  });
}
