import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { ReceiptOrder, ReceiptOutcome } from '../domain/receipts.ts';
import type { ShanghaiTime } from '../domain/time.ts';

export interface StoredReceipt {
  receiptNo: string;
  psnNo: string;
  year: number;
  amount: Fen;
  channel: 'family_account' | 'other';
  paidAt: ShanghaiTime;
}

export async function findReceipts(conn: PoolConnection, receiptNos: readonly string[]): Promise<Map<string, StoredReceipt>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT receipt_no, psn_no, year, amount, channel, paid_at FROM tax_receipts WHERE receipt_no IN (?)',
    [[...new Set(receiptNos)]],
  );
  return new Map(rows.map((r) => [r.receipt_no as string, { receiptNo: r.receipt_no, psnNo: r.psn_no, year: r.year, amount: r.amount, channel: r.channel, paidAt: r.paid_at }]));
}

/** The campaign of each (year, province) among these years. */
export async function campaignsOfYears(conn: PoolConnection, years: readonly number[]): Promise<Map<string, number>> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT id, year, province FROM campaigns WHERE year IN (?)', [[...new Set(years)]]);
  return new Map(rows.map((r) => [`${r.year} ${r.province}`, r.id as number]));
}

export interface LockedOrder extends ReceiptOrder {
  id: number;
}

/**
 * The orders of these (campaign, person) pairs, keyed `campaign person`, locked in primary-key order
 * (as payment chunks lock them), so a receipt and a payment of one order never both act on it.
 */
export async function lockOrdersOf(conn: PoolConnection, pairs: readonly [number, number][]): Promise<Map<string, LockedOrder>> {
  if (pairs.length === 0) return new Map();
  const [found] = await conn.query<RowDataPacket[]>('SELECT id FROM premium_orders WHERE (campaign_id, person_id) IN (?)', [pairs]);
  if (found.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT id, campaign_id, person_id, status, failure_code, premium FROM premium_orders WHERE id IN (?) ORDER BY id FOR UPDATE',
    [found.map((r) => r.id as number)],
  );
  return new Map(rows.map((r) => [`${r.campaign_id} ${r.person_id}`, { id: r.id, status: r.status, failureCode: r.failure_code, premium: r.premium }]));
}

export interface NewReceipt extends StoredReceipt {
  campaignId: number | null;
  orderId: number | null;
  outcome: ReceiptOutcome;
  detail: string;
}

export async function insertReceipts(conn: PoolConnection, receipts: readonly NewReceipt[]): Promise<void> {
  if (receipts.length === 0) return;
  await conn.query('INSERT INTO tax_receipts (receipt_no, psn_no, year, amount, channel, paid_at, campaign_id, order_id, outcome, detail) VALUES ?', [
    receipts.map((r) => [r.receiptNo, r.psnNo, r.year, r.amount, r.channel, r.paidAt, r.campaignId, r.orderId, r.outcome, r.detail || null]),
  ]);
}

/** Orders paid through another channel before we charged them: skipped for good. */
export async function markAlreadyPaid(conn: PoolConnection, orderIds: readonly number[]): Promise<void> {
  if (orderIds.length === 0) return;
  await conn.query(
    `UPDATE premium_orders SET status = 'skipped', failure_code = 'ALREADY_PAID', detail = 'paid through another channel (tax bureau receipt)'
      WHERE id IN (?) AND status IN ('pending', 'failed', 'skipped')`,
    [orderIds],
  );
}
