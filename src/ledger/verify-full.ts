import type { PoolConnection } from 'mysql2/promise';
import { eachRow } from '../db/each-row.ts';
import type { AccountCheckpoint } from './checkpoint.ts';
import { IdSums } from './id-sums.ts';
import { orderProblem, orphanProblems, psnNos, refundProblems, settlementProblems, type LedgerProblem, type Outcome } from './verify-checks.ts';

const SETTLED = 'created_at <= NOW(3) - INTERVAL ? SECOND';

/** The columns of the ledger a full verify reads, in id order: what one sequential pass must cost at least. */
export const LEDGER_PASS_SQL = `SELECT id, account_id, amount, order_id, settlement_id, ${SETTLED} FROM ledger_entries ORDER BY id`;

/** What one pass over the ledger adds up: per account, per order and per settlement. */
class LedgerSums {
  /** Entries old enough to fold into the checkpoint: every entry before the first younger one. */
  readonly folded = new IdSums();
  /** The rest, per account: few (the last minutes' entries). */
  readonly younger = new Map<number, number>();
  readonly orders = new IdSums();
  readonly settlements = new IdSums();
  throughEntryId = 0;
  foldedEntries = 0;
  private open = false;

  add(row: unknown[]): void {
    const id = row[0] as number;
    const account = row[1] as number;
    const amount = row[2] as number;
    // Folding stops at the first unsettled entry, so everything at or below the checkpoint id is final.
    if (this.open || row[5] === 0) {
      this.open = true;
      this.younger.set(account, (this.younger.get(account) ?? 0) + amount);
    } else {
      this.folded.add(account, amount);
      this.throughEntryId = id;
      this.foldedEntries++;
    }
    if (row[3] !== null) this.orders.add(row[3] as number, amount);
    if (row[4] !== null) this.settlements.add(row[4] as number, amount);
  }

  accountTotal(id: number): number {
    return this.folded.sum(id) + (this.younger.get(id) ?? 0);
  }
}

/**
 * Proves everything from zero in one sequential pass over the ledger, adding up its entries per
 * account, order and settlement in memory, then one pass over each of accounts, orders and
 * settlements in primary-key order to compare. No join to the ledger: a join reads an entry's row
 * by a secondary index, one random page at a time. SQL is left only for the rare rows that need
 * more (names of problem accounts, refunded orders, entries on missing accounts).
 */
export async function verifyFromZero(
  conn: PoolConnection, limit: number, settle: number, onAccountsProved?: (checkpoints: () => Iterable<AccountCheckpoint>) => void,
): Promise<Outcome> {
  const sums = new LedgerSums();
  const entries = await eachRow(conn, LEDGER_PASS_SQL, [settle], (row) => sums.add(row));

  // Opening balances by account id; NaN where no account exists (its entries are orphans).
  let openings: Float64Array = new Float64Array(0);
  const wrong: { id: number; expected: number; actual: number }[] = [];
  const accounts = await eachRow(conn, 'SELECT person_id, balance, opening_balance FROM accounts ORDER BY person_id', [], ([id, balance, opening]) => {
    const account = id as number;
    if (account >= openings.length) openings = grown(openings, account);
    openings[account] = opening as number;
    const expected = (opening as number) + sums.accountTotal(account);
    if (expected !== balance && wrong.length < limit) wrong.push({ id: account, expected, actual: balance as number });
  });
  const names = await psnNos(conn, wrong.map((w) => w.id));
  const problems: LedgerProblem[] = wrong.map((w) => ({ check: 'account_balance', subject: names.get(w.id) ?? `account ${w.id}`, expected: w.expected, actual: w.actual }));

  const hasAccount = (id: number) => id < openings.length && !Number.isNaN(openings[id]);
  const orphans = new Set<number>();
  for (const id of sums.folded.ids()) if (!hasAccount(id)) orphans.add(id);
  for (const id of sums.younger.keys()) if (!hasAccount(id)) orphans.add(id);
  problems.push(...await orphanProblems(conn, limit, 0, [...orphans].sort((a, b) => a - b)));
  // Every balance holds: the accounts' checkpoints are known, whatever orders and settlements show.
  if (problems.length === 0) onAccountsProved?.(() => accountCheckpoints(sums.folded, openings));

  const orderFindings: LedgerProblem[] = [];
  const refunded: number[] = [];
  let maxOrderId = 0;
  const orders = await eachRow(conn, 'SELECT id, status, premium FROM premium_orders ORDER BY id', [], ([id, status, premium]) => {
    const order = id as number;
    maxOrderId = order;
    const expected = status === 'paid' ? premium as number : 0;
    const debited = 0 - sums.orders.sum(order);
    if (debited !== expected && orderFindings.length < limit) orderFindings.push(orderProblem(order, status as string, expected, debited));
    if (status === 'refunded') refunded.push(order);
  });
  problems.push(...orderFindings);
  for (let i = 0, found = 0; i < refunded.length && found < limit; i += 50_000) {
    const batch = await refundProblems(conn, limit - found, { ids: refunded.slice(i, i + 50_000), after: Number.MAX_SAFE_INTEGER });
    problems.push(...batch);
    found += batch.length;
  }

  const wrongSettlements: number[] = [];
  let maxSettlementId = 0;
  const settlements = await eachRow(conn, 'SELECT id, acct_pay + acct_mulaid_pay FROM settlements ORDER BY id', [], ([id, expected]) => {
    const settlement = id as number;
    maxSettlementId = settlement;
    if (0 - sums.settlements.sum(settlement) !== expected && wrongSettlements.length < limit) wrongSettlements.push(settlement);
  });
  // The same check again in SQL for the few that failed, for their setl_id and figures.
  if (wrongSettlements.length > 0) problems.push(...await settlementProblems(conn, limit, { ids: wrongSettlements, after: Number.MAX_SAFE_INTEGER }));

  return {
    report: { mode: 'full', accounts, orders, settlements, entries, entriesRead: entries, checkpointEntryId: null, problems: problems.slice(0, limit) },
    save: {
      checkpoint: { throughEntryId: sums.throughEntryId, maxOrderId, maxSettlementId, entries: sums.foldedEntries, orders, settlements },
      accounts: accountCheckpoints(sums.folded, openings),
    },
  };
}

function* accountCheckpoints(folded: IdSums, openings: Float64Array): Generator<AccountCheckpoint> {
  for (const id of folded.ids()) {
    const opening = id < openings.length ? openings[id]! : Number.NaN;
    // Accounts only: entries on a missing account are reported, not folded.
    if (!Number.isNaN(opening)) yield { accountId: id, entries: folded.count(id), total: folded.sum(id), balance: opening + folded.sum(id) };
  }
}

function grown(array: Float64Array, id: number): Float64Array {
  const next = new Float64Array(Math.max(id + 1, array.length * 2, 1 << 16)).fill(Number.NaN);
  next.set(array);
  return next;
}
