import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { AccountMovement } from '../domain/settlement.ts';
import { applyBalanceDeltas } from './accounts.ts';

export type LedgerKind = 'debit' | 'credit' | 'adjustment' | 'refund';

export interface NewLedgerEntry {
  /** From `keys.ts`. */
  idemKey: string;
  /** accounts.person_id */
  accountId: number;
  kind: LedgerKind;
  /** Signed change to the balance: debits negative. */
  amount: Fen;
  orderId?: number;
  settlementId?: number;
  creditId?: number;
}

/** One multi-row INSERT; a key written before fails the statement (and so the caller's transaction). */
export async function insertLedgerEntries(conn: PoolConnection, entries: readonly NewLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await conn.query('INSERT INTO ledger_entries (idem_key, account_id, kind, amount, order_id, settlement_id, credit_id) VALUES ?', [
    entries.map((e) => [e.idemKey, e.accountId, e.kind, e.amount, e.orderId ?? null, e.settlementId ?? null, e.creditId ?? null]),
  ]);
}

/**
 * The usual way money moves: the entries, then each account's balance by the sum of its entries
 * (one account may appear several times in a batch: PERF-NOTES), with the one guarded update.
 * The caller has locked the accounts (`lockAccounts`) in the same transaction.
 */
export async function postEntries(conn: PoolConnection, entries: readonly NewLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const perAccount = new Map<number, Fen>();
  for (const e of entries) perAccount.set(e.accountId, (perAccount.get(e.accountId) ?? 0) + e.amount);
  await insertLedgerEntries(conn, entries);
  await applyBalanceDeltas(conn, perAccount);
}

/** The accounts each settlement debited and by how much (positive), in the order they paid. */
export async function findSettlementDebits(conn: PoolConnection, settlementIds: Iterable<number>): Promise<Map<number, AccountMovement[]>> {
  const ids = [...new Set(settlementIds)];
  const bySettlement = new Map<number, AccountMovement[]>();
  if (ids.length === 0) return bySettlement;
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT settlement_id, account_id, amount FROM ledger_entries WHERE settlement_id IN (?) AND kind = 'debit' ORDER BY id",
    [ids],
  );
  for (const r of rows) {
    const list = bySettlement.get(r.settlement_id) ?? [];
    list.push({ personId: r.account_id, amount: 0 - (r.amount as number) });
    bySettlement.set(r.settlement_id, list);
  }
  return bySettlement;
}

