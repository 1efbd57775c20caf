import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Idempotency key of the refund of one premium debit: the order and the payer account, ascending ids
 * like the debit's own P key, so a second refund of the same debit fails on the UNIQUE index.
 */
export const premiumRefundKey = (orderId: number, accountId: number) => `Q${pad(orderId, 10)}-${pad(accountId, 10)}`;

/** One premium debit given back: the payer account and the amount credited (positive). */
export interface PremiumRefund {
  accountId: number;
  payerPsnNo: string;
  amount: Fen;
}

/**
 * Credits back every debit of a premium order, exactly, to the account it came from: one `refund`
 * entry per debit and one balance update per account, in the caller's transaction. The caller holds
 * the order's row lock and has checked it is paid; accounts are locked here in primary-key order,
 * as the payment path locks them, so the two cannot deadlock.
 */
export async function refundPremiumDebits(conn: PoolConnection, orderId: number): Promise<PremiumRefund[]> {
  const [debits] = await conn.query<RowDataPacket[]>(
    `SELECT l.account_id, p.psn_no, -l.amount AS amount FROM ledger_entries l JOIN persons p ON p.id = l.account_id
      WHERE l.order_id = ? AND l.kind = 'debit' ORDER BY l.id`,
    [orderId],
  );
  const refunds = debits.map((d) => ({ accountId: d.account_id as number, payerPsnNo: d.psn_no as string, amount: Number(d.amount) }));
  if (refunds.length === 0) return refunds;
  const perAccount = new Map<number, Fen>();
  for (const r of refunds) perAccount.set(r.accountId, (perAccount.get(r.accountId) ?? 0) + r.amount);
  const ids = [...perAccount.keys()].sort((a, b) => a - b);
  await conn.query('SELECT person_id FROM accounts WHERE person_id IN (?) ORDER BY person_id FOR UPDATE', [ids]);
  await conn.query('INSERT INTO ledger_entries (idem_key, account_id, kind, amount, order_id) VALUES ?', [
    refunds.map((r) => [premiumRefundKey(orderId, r.accountId), r.accountId, 'refund', r.amount, orderId]),
  ]);
  const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
  const [result] = await conn.query<ResultSetHeader>(
    `UPDATE accounts SET balance = balance + CASE person_id ${cases} END WHERE person_id IN (?)`,
    [...ids.flatMap((id) => [id, perAccount.get(id)!]), ids],
  );
  if (result.affectedRows !== ids.length) throw new Error(`refund of order ${orderId}: ${result.affectedRows} of ${ids.length} accounts found`);
  return refunds;
}
