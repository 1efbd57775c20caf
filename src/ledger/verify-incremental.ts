import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { eachRow } from '../db/each-row.ts';
import { readAccountCheckpoints, type AccountCheckpoint, type LedgerCheckpoint } from './checkpoint.ts';
import { orderProblems, orphanProblems, psnNos, refundProblems, settlementProblems, type LedgerProblem, type Outcome } from './verify-checks.ts';

const BATCH = 5_000;

/** Per account: the sum of the entries read, and the part of them old enough to fold into a checkpoint. */
class AccountSums {
  readonly all = new Map<number, number>();
  readonly settled = new Map<number, { entries: number; total: number }>();
  throughEntryId: number;
  foldedEntries = 0;
  private open = false;

  constructor(from: number) { this.throughEntryId = from; }

  add(id: number, account: number, amount: number, settled: boolean): void {
    this.all.set(account, (this.all.get(account) ?? 0) + amount);
    // Folding stops at the first unsettled entry, so everything at or below the checkpoint id is final.
    if (!settled) this.open = true;
    if (this.open) return;
    const s = this.settled.get(account) ?? { entries: 0, total: 0 };
    s.entries++;
    s.total += amount;
    this.settled.set(account, s);
    this.throughEntryId = id;
    this.foldedEntries++;
  }
}

/**
 * Proves what changed since the checkpoint, in the verify's snapshot: the entries above its id (by
 * primary key), accounts whose balance differs from the checkpoint's (one pass over balances, none
 * over the ledger: a balance changed behind the ledger's back is found even without a new entry),
 * and the orders and settlements those entries name or that are new, each by primary key. The
 * ledger's size comes from the checkpoint plus the entries read, not from counting it.
 */
export async function verifySinceCheckpoint(conn: PoolConnection, cp: LedgerCheckpoint, limit: number, settle: number): Promise<Outcome> {
  const sums = new AccountSums(cp.throughEntryId);
  const orderIds = new Set<number>();
  const settlementIds = new Set<number>();
  const read = await eachRow(conn,
    'SELECT id, account_id, amount, order_id, settlement_id, created_at <= NOW(3) - INTERVAL ? SECOND FROM ledger_entries WHERE id > ? ORDER BY id',
    [settle, cp.throughEntryId],
    ([id, account, amount, order, settlement, settled]) => {
      sums.add(id as number, account as number, amount as number, settled !== 0);
      if (order !== null) orderIds.add(order as number);
      if (settlement !== null) settlementIds.add(settlement as number);
    });
  const [moved] = await conn.query<RowDataPacket[]>(
    `SELECT a.person_id FROM accounts a LEFT JOIN ledger_account_checkpoints c ON c.account_id = a.person_id
      WHERE a.balance <> COALESCE(c.balance, a.opening_balance)`,
  );
  const touched = [...new Set([...sums.all.keys(), ...moved.map((r) => r.person_id as number)])].sort((a, b) => a - b);
  const checkpoints = await readAccountCheckpoints(conn, touched);
  const wrong: { id: number; expected: number; actual: number }[] = [];
  const accounts: AccountCheckpoint[] = [];
  const missing = new Set(sums.all.keys());
  for (let i = 0; i < touched.length; i += BATCH) {
    const [states] = await conn.query<RowDataPacket[]>(
      'SELECT person_id, balance, opening_balance FROM accounts WHERE person_id IN (?) ORDER BY person_id', [touched.slice(i, i + BATCH)],
    );
    for (const a of states) {
      missing.delete(a.person_id);
      const c = checkpoints.get(a.person_id);
      const expected = Number(a.opening_balance) + (c?.total ?? 0) + (sums.all.get(a.person_id) ?? 0);
      if (expected !== Number(a.balance) && wrong.length < limit) wrong.push({ id: a.person_id, expected, actual: Number(a.balance) });
      const s = sums.settled.get(a.person_id);
      if (s) {
        const total = (c?.total ?? 0) + s.total;
        accounts.push({ accountId: a.person_id, entries: (c?.entries ?? 0) + s.entries, total, balance: Number(a.opening_balance) + total });
      }
    }
  }
  const names = await psnNos(conn, wrong.map((w) => w.id));
  const problems: LedgerProblem[] = wrong.map((w) => ({ check: 'account_balance', subject: names.get(w.id) ?? `account ${w.id}`, expected: w.expected, actual: w.actual }));
  const orders = { ids: [...orderIds], after: cp.maxOrderId };
  problems.push(
    // Entries on accounts that do not exist: only those accounts' entries are read again.
    ...await orphanProblems(conn, limit, cp.throughEntryId, [...missing].sort((a, b) => a - b)),
    ...await orderProblems(conn, limit, orders),
    ...await refundProblems(conn, limit, orders),
    ...await settlementProblems(conn, limit, { ids: [...settlementIds], after: cp.maxSettlementId }),
  );
  const t = await sizesSince(conn, cp);
  return {
    report: {
      mode: 'incremental', accounts: t.accounts, orders: t.orders, settlements: t.settlements, entries: cp.entries + read, entriesRead: read,
      checkpointEntryId: null, problems: problems.slice(0, limit),
    },
    save: {
      checkpoint: {
        throughEntryId: sums.throughEntryId, entries: cp.entries + sums.foldedEntries,
        maxOrderId: t.maxOrderId, maxSettlementId: t.maxSettlementId, orders: t.orders, settlements: t.settlements,
      },
      accounts,
    },
  };
}

/** Accounts (counted: one pass over balances is made anyway), and orders and settlements: the checkpoint's plus those above its ids. */
async function sizesSince(conn: PoolConnection, cp: LedgerCheckpoint) {
  const [[t]] = await conn.query<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM accounts) AS accounts,
            (SELECT COUNT(*) FROM premium_orders WHERE id > ?) AS new_orders, (SELECT COALESCE(MAX(id), 0) FROM premium_orders) AS max_order,
            (SELECT COUNT(*) FROM settlements WHERE id > ?) AS new_settlements, (SELECT COALESCE(MAX(id), 0) FROM settlements) AS max_settlement`,
    [cp.maxOrderId, cp.maxSettlementId],
  );
  return {
    accounts: Number(t!.accounts), orders: cp.orders + Number(t!.new_orders), settlements: cp.settlements + Number(t!.new_settlements),
    maxOrderId: Math.max(cp.maxOrderId, Number(t!.max_order)), maxSettlementId: Math.max(cp.maxSettlementId, Number(t!.max_settlement)),
  };
}
