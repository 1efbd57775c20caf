import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { ShanghaiTime } from '../domain/time.ts';

export interface HandoffOrder {
  orderId: number;
  psnNo: string;
  /** Personal data: written only into the hand-off file. */
  idNumber: string;
  premium: Fen;
  chargedAt: ShanghaiTime;
}

/**
 * A campaign's orders charged in [from, to) and still paid, in psn_no order, a page at a time. The
 * (campaign_id, psn_no) index orders the scan; the day is a filter, not an index of its own, so
 * the payment path keeps one index fewer to maintain.
 */
export async function* paidBetween(pool: Pool, campaignId: number, from: ShanghaiTime, to: ShanghaiTime, pageSize = 5000): AsyncGenerator<HandoffOrder[]> {
  let after = '';
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT o.id, o.psn_no, p.id_number, o.premium, o.charged_at
         FROM premium_orders o JOIN persons p ON p.id = o.person_id
        WHERE o.campaign_id = ? AND o.psn_no > ? AND o.status = 'paid' AND o.charged_at >= ? AND o.charged_at < ?
        ORDER BY o.psn_no LIMIT ?`,
      [campaignId, after, from, to, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({ orderId: r.id, psnNo: r.psn_no, idNumber: r.id_number, premium: r.premium, chargedAt: r.charged_at }));
    after = rows[rows.length - 1]!.psn_no;
    if (rows.length < pageSize) return;
  }
}

/** Records the first hand-off of each order: a receipt is due within 7 days of it. */
export async function markHandedOff(pool: Pool, orderIds: readonly number[], at: ShanghaiTime): Promise<void> {
  for (let i = 0; i < orderIds.length; i += 5000) {
    await pool.query('UPDATE premium_orders SET handed_off_at = COALESCE(handed_off_at, ?) WHERE id IN (?)', [at, orderIds.slice(i, i + 5000)]);
  }
}

export interface ReceiptProblem {
  code: string;
  psnNo: string;
  orderId: number | null;
  receiptNo: string;
  orderPremium: Fen | null;
  receiptAmount: Fen | null;
  detail: string;
  orderStatus: string | null;
  refundedAt: ShanghaiTime | null;
  handedOffAt: ShanghaiTime | null;
}

/**
 * Every receipt of the campaign but RECEIVED. A receipt without a campaign (unknown person, or no
 * campaign of its year and the person's province) shows in the reports of its year's campaigns, and
 * one of a year without any campaign in every report, so that none goes unseen.
 */
export async function receiptProblems(pool: Pool, campaignId: number, year: number): Promise<ReceiptProblem[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT r.outcome, r.psn_no, r.order_id, r.receipt_no, o.premium, r.amount, r.detail, o.status, o.refunded_at
       FROM tax_receipts r LEFT JOIN premium_orders o ON o.id = r.order_id
      WHERE r.outcome <> 'RECEIVED'
        AND (r.campaign_id = ? OR (r.campaign_id IS NULL AND (r.year = ? OR NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.year = r.year))))`,
    [campaignId, year],
  );
  return rows.map((r) => ({
    code: r.outcome, psnNo: r.psn_no, orderId: r.order_id, receiptNo: r.receipt_no, orderPremium: r.premium, receiptAmount: r.amount,
    detail: r.detail ?? '', orderStatus: r.status, refundedAt: r.refunded_at, handedOffAt: null,
  }));
}

/** Paid orders handed off before `before` with no receipt since. */
export async function notReceived(pool: Pool, campaignId: number, before: ShanghaiTime): Promise<ReceiptProblem[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT o.id, o.psn_no, o.premium, o.handed_off_at FROM premium_orders o
      WHERE o.campaign_id = ? AND o.status = 'paid' AND o.handed_off_at < ?
        AND NOT EXISTS (SELECT 1 FROM tax_receipts r WHERE r.order_id = o.id)`,
    [campaignId, before],
  );
  return rows.map((r) => ({
    code: 'NOT_RECEIVED', psnNo: r.psn_no, orderId: r.id, receiptNo: '', orderPremium: r.premium, receiptAmount: null,
    detail: '', orderStatus: 'paid', refundedAt: null, handedOffAt: r.handed_off_at,
  }));
}
