import type { Pool, RowDataPacket } from 'mysql2/promise';
import { formatYuan, type Fen } from '../domain/money.ts';
import { withOffset } from '../domain/time.ts';

export interface ExportedOrder {
  orderId: number;
  psnNo: string;
  status: string;
  premium: Fen;
  failureCode: string | null;
  /** payer psn_no and amount, in deduction order (the order the debits were written); kept once refunded. */
  payments: { payerPsnNo: string; amount: Fen }[];
}

export type OrderPayments = ExportedOrder['payments'];

/** The debits of each order (payer psn_no, positive amount) in the order they were written: deduction order. */
export async function paymentsOfOrders(pool: Pool, orderIds: readonly number[]): Promise<Map<number, OrderPayments>> {
  const payments = new Map<number, OrderPayments>();
  if (orderIds.length === 0) return payments;
  const [entries] = await pool.query<RowDataPacket[]>(
    `SELECT l.order_id, p.psn_no, -l.amount AS amount FROM ledger_entries l JOIN persons p ON p.id = l.account_id
      WHERE l.order_id IN (?) AND l.kind = 'debit' ORDER BY l.id`,
    [orderIds],
  );
  for (const e of entries) {
    const list = payments.get(e.order_id) ?? [];
    list.push({ payerPsnNo: e.psn_no, amount: Number(e.amount) });
    payments.set(e.order_id, list);
  }
  return payments;
}

/** `payer:yuan` pairs joined by `;`, as in orders export. */
export const formatPayments = (payments: OrderPayments): string => payments.map((p) => `${p.payerPsnNo}:${formatYuan(p.amount)}`).join(';');

/** A campaign's orders in psn_no order, a page at a time, with their payments. */
export async function* streamOrders(pool: Pool, campaignId: number, pageSize = 5000): AsyncGenerator<ExportedOrder[]> {
  let after = '';
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT id, psn_no, status, premium, failure_code FROM premium_orders
        WHERE campaign_id = ? AND psn_no > ? ORDER BY psn_no LIMIT ?`,
      [campaignId, after, pageSize],
    );
    if (rows.length === 0) return;
    // A refunded order keeps showing the payments that were given back.
    const paidIds = rows.filter((r) => r.status === 'paid' || r.status === 'refunded').map((r) => r.id as number);
    const payments = await paymentsOfOrders(pool, paidIds);
    yield rows.map((r) => ({
      orderId: r.id, psnNo: r.psn_no, status: r.status, premium: r.premium, failureCode: r.failure_code,
      payments: payments.get(r.id) ?? [],
    }));
    after = rows[rows.length - 1]!.psn_no;
    if (rows.length < pageSize) return;
  }
}

export interface FailureRow {
  orderId: number;
  campaignId: number;
  psnNo: string;
  status: string;
  failureCode: string;
  premium: Fen;
  detail: string | null;
}

export async function listFailures(pool: Pool, filter: { campaignId?: number; code?: string; limit?: number }): Promise<{ total: number; rows: FailureRow[] }> {
  const where = ["status IN ('failed', 'skipped')"];
  const params: unknown[] = [];
  if (filter.campaignId !== undefined) {
    where.push('campaign_id = ?');
    params.push(filter.campaignId);
  }
  if (filter.code !== undefined) {
    where.push('failure_code = ?');
    params.push(filter.code);
  }
  const [[count]] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS total FROM premium_orders WHERE ${where.join(' AND ')}`, params);
  const limit = filter.limit && filter.limit > 0 ? `LIMIT ${Math.floor(filter.limit)}` : '';
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, campaign_id, psn_no, status, failure_code, premium, detail FROM premium_orders
      WHERE ${where.join(' AND ')} ORDER BY campaign_id, psn_no ${limit}`,
    params,
  );
  return {
    total: Number(count!.total),
    rows: rows.map((r) => ({ orderId: r.id, campaignId: r.campaign_id, psnNo: r.psn_no, status: r.status, failureCode: r.failure_code, premium: r.premium, detail: r.detail })),
  };
}

export interface OrderState {
  id: number;
  campaignId: number;
  status: string;
  failureCode: string | null;
  detail: string | null;
}

export async function findOrder(pool: Pool, orderId: number): Promise<OrderState | null> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, campaign_id, status, failure_code, detail FROM premium_orders WHERE id = ?', [orderId]);
  const r = rows[0];
  return r ? { id: r.id, campaignId: r.campaign_id, status: r.status, failureCode: r.failure_code, detail: r.detail } : null;
}

export async function recentRuns(pool: Pool, campaignId: number, limit = 5): Promise<RowDataPacket[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT id, kind, requested_by, created_at, finished_at FROM campaign_runs WHERE campaign_id = ? ORDER BY id DESC LIMIT ?',
    [campaignId, limit],
  );
  return rows.map((r) => ({ ...r, created_at: withOffset(r.created_at), finished_at: r.finished_at === null ? null : withOffset(r.finished_at) }) as RowDataPacket);
}

/** Orders of a campaign with a DOUBLE_PAID receipt, paid or already refunded, in order id order (one per order). */
export async function doublePaidOrders(pool: Pool, campaignId: number): Promise<{ orderId: number; receiptNo: string }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT order_id, MIN(receipt_no) AS receipt_no FROM tax_receipts
      WHERE campaign_id = ? AND outcome = 'DOUBLE_PAID' AND order_id IS NOT NULL
      GROUP BY order_id ORDER BY order_id`,
    [campaignId],
  );
  return rows.map((r) => ({ orderId: r.order_id, receiptNo: r.receipt_no }));
}
