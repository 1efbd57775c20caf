import { screenPayers, type Binding, type Person } from './eligibility.ts';
import type { Fen } from './money.ts';
import type { ShanghaiTime } from './time.ts';

/** Money taken from (or, for a refund, given back to) one personal account. */
export interface AccountMovement {
  personId: number;
  amount: Fen;
}

export interface SettlementInput {
  patient: Person;
  /** The patient's own personal-account balance, or null when the patient has no account. */
  ownBalance: Fen | null;
  /** The patient's bindings, each with its payer's current balance. */
  bindings: readonly Binding[];
  personalBurden: Fen;
  at: ShanghaiTime;
}

export interface SettlementAllocation {
  /** From the patient's own account. */
  acctPay: Fen;
  /** From family members' accounts (共济). */
  acctMulaidPay: Fen;
  /** The rest of the personal burden, paid outside this system. */
  cashPay: Fen;
  /** One debit per account that paid something, in paying order; amounts are positive. */
  debits: AccountMovement[];
}

/**
 * Splits a settlement's personal burden (SPEC 4): the patient's own account first (only an active
 * employee with an account), then eligible payers in deduction order, each up to its balance; the
 * rest is cash. Mutual aid requires the patient to be active. Partial coverage is normal.
 */
export function allocateSettlement(input: SettlementInput): SettlementAllocation {
  const { patient, personalBurden } = input;
  const debits: AccountMovement[] = [];
  let remaining = personalBurden;

  let acctPay = 0;
  if (patient.status === 'active' && patient.insutype === '310' && input.ownBalance !== null) {
    acctPay = Math.min(Math.max(input.ownBalance, 0), remaining);
    remaining -= acctPay;
    if (acctPay > 0) debits.push({ personId: patient.id, amount: acctPay });
  }

  let acctMulaidPay = 0;
  if (patient.status === 'active' && remaining > 0) {
    for (const binding of screenPayers(patient, input.bindings, input.at, 'medical').eligible) {
      // The patient's own account already gave what it had; a self-binding (never imported) must not pay twice.
      if (binding.payer.id === patient.id) continue;
      const amount = Math.min(Math.max(binding.payerBalance ?? 0, 0), remaining);
      if (amount === 0) continue;
      debits.push({ personId: binding.payer.id, amount });
      acctMulaidPay += amount;
      remaining -= amount;
      if (remaining === 0) break;
    }
  }

  return { acctPay, acctMulaidPay, cashPay: remaining, debits };
}

export interface SettledAmounts {
  acctPay: Fen;
  acctMulaidPay: Fen;
  cashPay: Fen;
  debits: readonly AccountMovement[];
}

export interface RefundAllocation {
  acctPay: Fen;
  acctMulaidPay: Fen;
  cashPay: Fen;
  /** One credit per account the original debited, same amounts, positive. */
  credits: AccountMovement[];
}

/** `0 - x` rather than `-x`: a negated zero would be -0, which compares unequal in tests and JSON round trips. */
const negate = (fen: Fen): Fen => 0 - fen;

/**
 * A refund gives back exactly what the original settlement took, to the same accounts; its stored
 * amounts are the original's negated, whatever the refund row itself says (SPEC 8).
 */
export function refundOf(original: SettledAmounts): RefundAllocation {
  return {
    acctPay: negate(original.acctPay),
    acctMulaidPay: negate(original.acctMulaidPay),
    cashPay: negate(original.cashPay),
    credits: original.debits.map((debit) => ({ personId: debit.personId, amount: debit.amount })),
  };
}
