import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { AccountMovement } from '../domain/settlement.ts';

export type LedgerKind = 'debit' | 'credit' | 'adjustment' | 'refund';

export interface NewLedgerEntry {
  idemKey: string;
  /** accounts.person_id */
  accountId: number;
  kind: LedgerKind;
  /** Signed change to the balance: debits negative. */
  amount: Fen;
  settlementId?: number;
  creditId?: number;
}

/*
 * Idempotency keys of import-made entries. Built from ascending ids so the UNIQUE index grows at its
 * right edge (PERF-NOTES); a second attempt at the same movement fails on that index instead of
 * moving money twice.
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const adjustmentKey = (personId: number, n: number) => `A${pad(personId, 10)}-${pad(n, 6)}`;
export const creditKey = (creditRowId: number) => `C${pad(creditRowId, 12)}`;
export const settlementDebitKey = (settlementId: number, personId: number) => `S${pad(settlementId, 12)}-${pad(personId, 10)}`;
export const refundKey = (refundId: number, personId: number) => `R${pad(refundId, 12)}-${pad(personId, 10)}`;

export async function insertLedgerEntries(conn: PoolConnection, entries: readonly NewLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await conn.query('INSERT INTO ledger_entries (idem_key, account_id, kind, amount, settlement_id, credit_id) VALUES ?', [
    entries.map((e) => [e.idemKey, e.accountId, e.kind, e.amount, e.settlementId ?? null, e.creditId ?? null]),
  ]);
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
