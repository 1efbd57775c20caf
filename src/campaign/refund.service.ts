import type { Pool, RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../db/transaction.ts';
import type { Fen } from '../domain/money.ts';
import { shanghaiNow } from '../domain/time.ts';
import { insertNotices, premiumRefundedNotices } from '../ledger/notices.ts';
import { refundPremiumDebits, type PremiumRefund } from '../ledger/premium-refunds.ts';
import { finishAction, recordAction, type Actor } from '../audit/audit.repository.ts';
import { refundWrittenNotCommitted } from './fault-injection.ts';
import { OrderNotFoundError } from './order-not-found.error.ts';
import { doublePaidOrders } from './orders.queries.ts';

/** A refund asked of an order that holds no money to give back (pending, failed or skipped). */
export class OrderNotRefundableError extends Error {
  constructor(readonly orderId: number, readonly status: string, readonly code: string | null) {
    super(`order ${orderId} is ${status}${code ? ` (${code})` : ''}: only a paid order can be refunded`);
    this.name = 'OrderNotRefundableError';
  }
}

export type RefundOutcome =
  | { orderId: number; psnNo: string; refunded: true; amount: Fen; refunds: PremiumRefund[] }
  | { orderId: number; psnNo: string; refunded: false; reason: 'already refunded' };

/** Longest reason kept in the order and the audit trail. */
const MAX_REASON = 200;

/**
 * Refunds one paid premium order in one transaction (SPEC 10): every debit credited back to its
 * account, the order `refunded` with no failure code, the operator and reason audited. The order's
 * row lock serialises it against a second refund and against the payment path, which re-reads the
 * status under the same lock and never charges a refunded order; a refund of a refunded order
 * changes nothing.
 */
export async function refundOrder(pool: Pool, orderId: number, reason: string, actor: Actor): Promise<RefundOutcome> {
  const why = reason.trim().slice(0, MAX_REASON);
  return inTransaction(pool, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT id, campaign_id, person_id, psn_no, status, failure_code, premium FROM premium_orders WHERE id = ? FOR UPDATE',
      [orderId],
    );
    const order = rows[0];
    if (!order) throw new OrderNotFoundError(orderId);
    if (order.status === 'refunded') return { orderId, psnNo: order.psn_no, refunded: false, reason: 'already refunded' };
    if (order.status !== 'paid') throw new OrderNotRefundableError(orderId, order.status, order.failure_code);

    const refunds = await refundPremiumDebits(conn, orderId);
    const amount = refunds.reduce((sum, r) => sum + r.amount, 0);
    await conn.query(
      "UPDATE premium_orders SET status = 'refunded', failure_code = NULL, detail = ?, refunded_at = ? WHERE id = ?",
      [`refunded: ${why}`, shanghaiNow(), orderId],
    );
    // SPEC 9: each payer hears of the refund (amount, the beneficiary), in the same transaction.
    await insertNotices(conn, premiumRefundedNotices(orderId, order.person_id, refunds.map((r) => ({ payerId: r.accountId, amount: r.amount }))));
    const actionId = await recordAction(conn, actor, 'refund', { orderId, campaignId: order.campaign_id, reason: why, amount });
    await finishAction(conn, actionId, 1);
    await refundWrittenNotCommitted({ orderId });
    return { orderId, psnNo: order.psn_no, refunded: true, amount, refunds };
  });
}

/**
 * Refunds every paid order of a campaign that the tax bureau reported paid through another channel
 * too (DOUBLE_PAID receipts), each in its own transaction; orders already refunded are counted, not
 * touched.
 */
export async function refundDoublePaid(pool: Pool, campaignId: number, actor: Actor, reason?: string): Promise<RefundOutcome[]> {
  const outcomes: RefundOutcome[] = [];
  for (const { orderId, receiptNo } of await doublePaidOrders(pool, campaignId)) {
    const why = `double payment: receipt ${receiptNo} paid through another channel${reason ? `; ${reason}` : ''}`;
    outcomes.push(await refundOrder(pool, orderId, why, actor));
  }
  return outcomes;
}
