import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { AccountCheckpoint, LedgerCheckpoint } from './checkpoint.ts';

export interface LedgerProblem {
  check: 'account_balance' | 'order_debits' | 'order_refunds' | 'settlement_debits' | 'orphan_entry';
  /** psn_no, order id or setl_id the problem is about. */
  subject: string;
  expected: number;
  actual: number;
}

export interface LedgerReport {
  /** `full`: every entry from zero; `incremental`: entries after the checkpoint and what they touch. */
  mode: 'full' | 'incremental';
  accounts: number;
  orders: number;
  settlements: number;
  entries: number;
  /** Entries read by this verify (all of them when full). */
  entriesRead: number;
  /** The ledger id the checkpoint stands at after this verify (unchanged when a problem was found). */
  checkpointEntryId: number | null;
  problems: LedgerProblem[];
}

/** What a verify found, and the checkpoint to save if it holds. */
export interface Outcome {
  report: LedgerReport;
  save: { checkpoint: LedgerCheckpoint; accounts: Iterable<AccountCheckpoint> };
}

/** Orders or settlements to check: these ids, and every id above `after` (created since the checkpoint). */
export interface Scope { ids: readonly number[]; after: number }

const scopeValues = (scope: Scope) => [scope.ids.length > 0 ? scope.ids : [0], scope.after];

/** Orders in scope whose entries do not sum to their due: the premium when paid, zero otherwise (refunded included). */
export async function orderProblems(conn: PoolConnection, limit: number, scope: Scope): Promise<LedgerProblem[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT o.id, o.status, CASE WHEN o.status = 'paid' THEN o.premium ELSE 0 END AS expected, COALESCE(-SUM(l.amount), 0) AS debited
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id
      WHERE o.id IN (?) OR o.id > ?
      GROUP BY o.id, o.status, o.premium
     HAVING debited <> expected
      ORDER BY o.id LIMIT ?`,
    [...scopeValues(scope), limit],
  );
  return rows.map((r) => orderProblem(r.id, r.status, Number(r.expected), Number(r.debited)));
}

export const orderProblem = (id: number, status: string, expected: number, debited: number): LedgerProblem =>
  ({ check: 'order_debits', subject: `order ${id} (${status})`, expected, actual: debited });

/**
 * Refunded orders in scope where an account's refunds differ from its debits, or nothing was debited
 * at all. `scope` as for orders, or a list of ids only (the full verify's refunded orders).
 */
export async function refundProblems(conn: PoolConnection, limit: number, scope: Scope): Promise<LedgerProblem[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT o.id, p.psn_no, COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN -l.amount END), 0) AS debited,
            COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount END), 0) AS refunded
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id LEFT JOIN persons p ON p.id = l.account_id
      WHERE o.status = 'refunded' AND (o.id IN (?) OR o.id > ?)
      GROUP BY o.id, l.account_id, p.psn_no
     HAVING debited <> refunded OR debited = 0
      ORDER BY o.id LIMIT ?`,
    [...scopeValues(scope), limit],
  );
  return rows.map((r) => ({ check: 'order_refunds', subject: `order ${r.id} (refunded) account ${r.psn_no ?? 'none'}`, expected: Number(r.debited), actual: Number(r.refunded) }));
}

/** Settlements in scope whose entries do not move acct_pay + acct_mulaid_pay. */
export async function settlementProblems(conn: PoolConnection, limit: number, scope: Scope): Promise<LedgerProblem[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT s.setl_id, s.acct_pay + s.acct_mulaid_pay AS expected, COALESCE(-SUM(l.amount), 0) AS moved
       FROM settlements s LEFT JOIN ledger_entries l ON l.settlement_id = s.id
      WHERE s.id IN (?) OR s.id > ?
      GROUP BY s.id, s.setl_id, s.acct_pay, s.acct_mulaid_pay
     HAVING moved <> expected
      ORDER BY s.id LIMIT ?`,
    [...scopeValues(scope), limit],
  );
  return rows.map((r) => ({ check: 'settlement_debits', subject: r.setl_id, expected: Number(r.expected), actual: Number(r.moved) }));
}

/** Entries above `afterEntryId` on an account that does not exist (of these accounts only, when given). */
export async function orphanProblems(conn: PoolConnection, limit: number, afterEntryId: number, accountIds?: readonly number[]): Promise<LedgerProblem[]> {
  if (accountIds?.length === 0) return [];
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT l.idem_key, l.amount FROM ledger_entries l LEFT JOIN accounts a ON a.person_id = l.account_id
      WHERE l.id > ? ${accountIds ? 'AND l.account_id IN (?)' : ''} AND a.person_id IS NULL ORDER BY l.id LIMIT ?`,
    accountIds ? [afterEntryId, accountIds, limit] : [afterEntryId, limit],
  );
  return rows.map((r) => ({ check: 'orphan_entry', subject: r.idem_key, expected: 0, actual: Number(r.amount) }));
}

/** psn_no of these persons (a missing person keeps no entry). */
export async function psnNos(conn: PoolConnection, personIds: readonly number[]): Promise<Map<number, string>> {
  if (personIds.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT id, psn_no FROM persons WHERE id IN (?)', [personIds]);
  return new Map(rows.map((r) => [r.id as number, r.psn_no as string]));
}
