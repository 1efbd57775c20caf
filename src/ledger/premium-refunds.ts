import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import { lockAccounts } from './accounts.ts';
import { postEntries } from './entries.ts';
import { premiumRefundKey } from './keys.ts';

/** One premium debit given back: the payer account and the amount credited (positive). */
export interface PremiumRefund {
  accountId: number;
  payerPsnNo: string;
  amount: Fen;
}

/**
 * Credits back every debit of a premium order, exactly, to the account it came from: one `refund`
 * entry per debit (key Q{order}-{account}, so a second refund of the same debit fails on the UNIQUE
 * index), with the one guarded balance update, in the caller's transaction. The caller holds the
 * order's row lock and has checked it is paid; accounts are locked in primary-key order, as the
 * payment path locks them after its orders, so the two cannot deadlock.
 */
export async function refundPremiumDebits(conn: PoolConnection, orderId: number): Promise<PremiumRefund[]> {
  const [debits] = await conn.query<RowDataPacket[]>(
    `SELECT l.account_id, p.psn_no, -l.amount AS amount FROM ledger_entries l JOIN persons p ON p.id = l.account_id
      WHERE l.order_id = ? AND l.kind = 'debit' ORDER BY l.id`,
    [orderId],
  );
  const refunds = debits.map((d) => ({ accountId: d.account_id as number, payerPsnNo: d.psn_no as string, amount: Number(d.amount) }));
  await lockAccounts(conn, refunds.map((r) => r.accountId));
  await postEntries(conn, refunds.map((r) => ({ idemKey: premiumRefundKey(orderId, r.accountId), accountId: r.accountId, kind: 'refund', amount: r.amount, orderId })));
  return refunds;
}
