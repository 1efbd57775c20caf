import type { Pool, RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../../src/db/transaction.ts';
import { lockAccounts } from '../../src/ledger/accounts.ts';
import { postEntries } from '../../src/ledger/entries.ts';
import { insertNotices, premiumRefundedNotices } from '../../src/ledger/notices.ts';

const pad = (n: number) => String(n).padStart(10, '0');

/**
 * A premium refund as the shared contract writes it: one `refund` entry per debit of the order
 * (same account, the debit negated, key Q{order}-{account}), the balances and the notices, in one
 * transaction. Tests of statements and notices use it until the refund command is there.
 */
export async function refundPremium(pool: Pool, orderId: number): Promise<void> {
  await inTransaction(pool, async (conn) => {
    const [debits] = await conn.query<RowDataPacket[]>(
      "SELECT le.account_id, le.amount, o.person_id FROM ledger_entries le JOIN premium_orders o ON o.id = le.order_id WHERE le.order_id = ? AND le.kind = 'debit' ORDER BY le.account_id",
      [orderId],
    );
    await lockAccounts(conn, debits.map((d) => d.account_id));
    await postEntries(conn, debits.map((d) => ({ idemKey: `Q${pad(orderId)}-${pad(d.account_id)}`, accountId: d.account_id, kind: 'refund' as const, amount: -d.amount, orderId })));
    await insertNotices(conn, premiumRefundedNotices(orderId, debits[0]!.person_id, debits.map((d) => ({ payerId: d.account_id, amount: -d.amount }))));
  });
}
