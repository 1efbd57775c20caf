import type { PoolConnection } from 'mysql2/promise';
import type { NOTICE_EVENTS } from '../db/schema/notices.ts';
import type { Fen } from '../domain/money.ts';

export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/**
 * One event a person must hear about (SPEC 9). Ids only: the export joins psn_no, and nothing here
 * can carry a balance, a name or an ID number.
 */
export interface NewNotice {
  event: NoticeEvent;
  /** The premium order (premium events) or the settlement row (medical events; a refund's own row). */
  sourceId: number;
  /** persons.id of the person told. */
  personId: number;
  /** persons.id of the relative on the other side; null for premium_failed. */
  counterpartId: number | null;
  /** Positive fen; null for premium_failed. */
  amount: Fen | null;
  /** The failure code of premium_failed. */
  code?: string;
}

/**
 * Writes notices in the caller's transaction, with one multi-row statement. Each event has a unique
 * key (event, source, person, counterpart, code), so writing one again (a retry that fails with the
 * same code, a redelivered job) leaves the first row as it was and adds nothing.
 */
export async function insertNotices(conn: PoolConnection, rows: readonly NewNotice[]): Promise<void> {
  if (rows.length === 0) return;
  // ON DUPLICATE KEY rather than INSERT IGNORE: IGNORE would also turn real errors into warnings.
  await conn.query(
    `INSERT INTO notices (event, source_id, person_id, counterpart_id, amount, code) VALUES ?
     ON DUPLICATE KEY UPDATE id = id`,
    [rows.map((n) => [n.event, n.sourceId, n.personId, n.counterpartId ?? 0, n.amount, n.code ?? ''])],
  );
}

/** A payer's money moved for a relative, or came back: one notice to each payer (SPEC 9). */
export interface PayerMovement {
  payerId: number;
  /** Positive fen. */
  amount: Fen;
}

/** premium_paid_for_relative to each payer and premium_paid_by_family to the beneficiary, once per paying payer. */
export function premiumPaidNotices(orderId: number, beneficiaryId: number, payments: readonly PayerMovement[]): NewNotice[] {
  return payments.flatMap((p): NewNotice[] => [
    { event: 'premium_paid_for_relative', sourceId: orderId, personId: p.payerId, counterpartId: beneficiaryId, amount: p.amount },
    { event: 'premium_paid_by_family', sourceId: orderId, personId: beneficiaryId, counterpartId: p.payerId, amount: p.amount },
  ]);
}

/** premium_failed to the beneficiary of a failed order: once per order and failure code. */
export function premiumFailedNotice(orderId: number, beneficiaryId: number, code: string): NewNotice {
  return { event: 'premium_failed', sourceId: orderId, personId: beneficiaryId, counterpartId: null, amount: null, code };
}

/** premium_refunded to each payer whose premium debit was credited back. */
export function premiumRefundedNotices(orderId: number, beneficiaryId: number, refunds: readonly PayerMovement[]): NewNotice[] {
  return refunds.map((r) => ({ event: 'premium_refunded', sourceId: orderId, personId: r.payerId, counterpartId: beneficiaryId, amount: r.amount }));
}

/**
 * medical_paid_for_relative (a settlement) or medical_refunded (its refund, `settlementId` being the
 * refund's own row) to each payer other than the patient: the patient's own account is not mutual aid.
 */
export function medicalNotices(settlementId: number, patientId: number, refund: boolean, movements: readonly PayerMovement[]): NewNotice[] {
  return movements
    .filter((m) => m.payerId !== patientId && m.amount > 0)
    .map((m) => ({
      event: refund ? 'medical_refunded' : 'medical_paid_for_relative', sourceId: settlementId, personId: m.payerId, counterpartId: patientId, amount: m.amount,
    }));
}
