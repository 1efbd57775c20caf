import { byteOrder } from './eligibility.ts';
import type { Fen } from './money.ts';
import type { ShanghaiTime } from './time.ts';

/** paid_for: this person's account paid for a relative; paid_by: a relative's account paid for this person. */
export const STATEMENT_DIRECTIONS = ['paid_for', 'paid_by'] as const;
export type StatementDirection = (typeof STATEMENT_DIRECTIONS)[number];
export const STATEMENT_KINDS = ['premium', 'medical', 'premium_refund', 'medical_refund'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** One movement of mutual-aid money a person took part in (SPEC 9). */
export interface StatementRow {
  /** When the money moved (premiums), or the settlement's setl_time (medical rows, refunds included). */
  time: ShanghaiTime;
  direction: StatementDirection;
  kind: StatementKind;
  counterpartPsnNo: string;
  /** The binding's relationship as imported; empty if the binding is gone. */
  relationship: string;
  /** Empty for premiums. */
  fixmedinsCode: string;
  /** The order id (premiums) or the setl_id (medical; a refund's own). */
  reference: string;
  /** paid_for: the change to this person's balance; paid_by: the money received (refunds negative). */
  amount: Fen;
}

/** A ledger entry as the statement reads it: its signed change to the paying account's balance. */
export interface StatementEntry extends Omit<StatementRow, 'kind' | 'amount'> {
  source: 'premium' | 'medical';
  refund: boolean;
  /** Signed change to the payer's balance (debits negative, refunds positive). */
  balanceChange: Fen;
}

const REFUND_KIND = { premium: 'premium_refund', medical: 'medical_refund' } as const;

/**
 * Names the row and signs its amount from this person's side. Built as one literal: every row then
 * has the same shape, which keeps sorting and totalling thousands of them fast (an object made by
 * rest and spread is not).
 */
export function toStatementRow(entry: StatementEntry): StatementRow {
  return {
    time: entry.time,
    direction: entry.direction,
    kind: entry.refund ? REFUND_KIND[entry.source] : entry.source,
    counterpartPsnNo: entry.counterpartPsnNo,
    relationship: entry.relationship,
    fixmedinsCode: entry.fixmedinsCode,
    reference: entry.reference,
    // A relative's debit is money received; 0 - x, not -x: -0 would print as a negative zero.
    amount: entry.direction === 'paid_for' ? entry.balanceChange : 0 - entry.balanceChange,
  };
}

/**
 * Oldest first, then by reference (byte order, like every key); rows still alike (one premium paid by
 * two relatives) by direction, kind and counterpart, so the order never depends on the database.
 */
export function compareStatementRows(a: StatementRow, b: StatementRow): number {
  return byteOrder(a.time, b.time) || byteOrder(a.reference, b.reference)
    || STATEMENT_DIRECTIONS.indexOf(a.direction) - STATEMENT_DIRECTIONS.indexOf(b.direction)
    || STATEMENT_KINDS.indexOf(a.kind) - STATEMENT_KINDS.indexOf(b.kind)
    || byteOrder(a.counterpartPsnNo, b.counterpartPsnNo);
}

/** The period asked for: `to` includes its whole day. */
export interface StatementPeriod {
  from: string | null;
  to: string | null;
}

export function inPeriod(time: ShanghaiTime, { from, to }: StatementPeriod): boolean {
  return (from === null || time >= `${from} 00:00:00`) && (to === null || time <= `${to} 23:59:59`);
}

export interface StatementTotal {
  direction: StatementDirection;
  kind: StatementKind;
  count: number;
  amount: Fen;
}

/** Count and sum per direction and kind, for those that occur, in the order of the two lists above. */
export function statementTotals(rows: readonly StatementRow[]): StatementTotal[] {
  const slots: (StatementTotal | undefined)[] = [];
  for (const r of rows) {
    const slot = STATEMENT_DIRECTIONS.indexOf(r.direction) * STATEMENT_KINDS.length + STATEMENT_KINDS.indexOf(r.kind);
    const total = slots[slot];
    if (total) {
      total.count++;
      total.amount += r.amount;
    } else {
      slots[slot] = { direction: r.direction, kind: r.kind, count: 1, amount: 0 + r.amount };
    }
  }
  return slots.filter((t) => t !== undefined);
}
