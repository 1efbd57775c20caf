import type { Connection as CoreConnection } from 'mysql2';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { readAccountCheckpoints, readCheckpoint, saveCheckpoint, type AccountCheckpoint, type LedgerCheckpoint } from './checkpoint.ts';

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

export interface VerifyOptions {
  /** Prove everything from zero even when a checkpoint exists. */
  full?: boolean;
  maxProblems?: number;
  /**
   * Entries younger than this are proved but not folded into the checkpoint: an id is assigned at
   * INSERT, before commit, so a transaction still open may yet commit an id below the newest one seen.
   */
  settleSeconds?: number;
}

export const DEFAULT_SETTLE_SECONDS = 300;

interface Entry { id: number; account_id: number; amount: number; settled: number }

/** A read-only transaction on one connection: every read of a verify sees the same ledger. */
async function inSnapshot<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    try {
      return await work(conn);
    } finally {
      await conn.query('COMMIT');
    }
  } finally {
    conn.release();
  }
}

function stream<T>(conn: PoolConnection, sql: string, values: unknown[] = []): AsyncIterable<T> {
  // The promise wrapper has no streaming; its underlying connection does.
  const core = (conn as unknown as { connection: CoreConnection }).connection;
  return core.query(sql, values).stream({ highWaterMark: 1000 }) as unknown as AsyncIterable<T>;
}

/** Orders whose entries do not sum to their due: the premium when paid, zero otherwise (refunded included). */
async function orderProblems(conn: PoolConnection, limit: number, scope?: { ids: number[]; after: number }): Promise<LedgerProblem[]> {
  if (scope && scope.ids.length === 0 && scope.after < 0) return [];
  const where = scope ? `WHERE (o.id IN (?) OR o.id > ?)` : '';
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT o.id, o.status, CASE WHEN o.status = 'paid' THEN o.premium ELSE 0 END AS expected, COALESCE(-SUM(l.amount), 0) AS debited
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id ${where}
      GROUP BY o.id, o.status, o.premium
     HAVING debited <> expected
      ORDER BY o.id LIMIT ?`,
    scope ? [scope.ids.length ? scope.ids : [0], scope.after, limit] : [limit],
  );
  return rows.map((r) => ({ check: 'order_debits', subject: `order ${r.id} (${r.status})`, expected: Number(r.expected), actual: Number(r.debited) }));
}

/** Refunded orders where an account's refunds differ from its debits, or nothing was debited at all. */
async function refundProblems(conn: PoolConnection, limit: number, scope?: { ids: number[]; after: number }): Promise<LedgerProblem[]> {
  const where = scope ? `AND (o.id IN (?) OR o.id > ?)` : '';
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT o.id, p.psn_no, COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN -l.amount END), 0) AS debited,
            COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount END), 0) AS refunded
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id LEFT JOIN persons p ON p.id = l.account_id
      WHERE o.status = 'refunded' ${where}
      GROUP BY o.id, l.account_id, p.psn_no
     HAVING debited <> refunded OR debited = 0
      ORDER BY o.id LIMIT ?`,
    scope ? [scope.ids.length ? scope.ids : [0], scope.after, limit] : [limit],
  );
  return rows.map((r) => ({ check: 'order_refunds', subject: `order ${r.id} (refunded) account ${r.psn_no ?? 'none'}`, expected: Number(r.debited), actual: Number(r.refunded) }));
}

/** Settlements whose entries do not move acct_pay + acct_mulaid_pay. */
async function settlementProblems(conn: PoolConnection, limit: number, scope?: { ids: number[]; after: number }): Promise<LedgerProblem[]> {
  const where = scope ? `WHERE (s.id IN (?) OR s.id > ?)` : '';
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT s.setl_id, s.acct_pay + s.acct_mulaid_pay AS expected, COALESCE(-SUM(l.amount), 0) AS moved
       FROM settlements s LEFT JOIN ledger_entries l ON l.settlement_id = s.id ${where}
      GROUP BY s.id, s.setl_id, s.acct_pay, s.acct_mulaid_pay
     HAVING moved <> expected
      ORDER BY s.id LIMIT ?`,
    scope ? [scope.ids.length ? scope.ids : [0], scope.after, limit] : [limit],
  );
  return rows.map((r) => ({ check: 'settlement_debits', subject: r.setl_id, expected: Number(r.expected), actual: Number(r.moved) }));
}

async function orphanProblems(conn: PoolConnection, limit: number, afterEntryId: number): Promise<LedgerProblem[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT l.idem_key, l.amount FROM ledger_entries l LEFT JOIN accounts a ON a.person_id = l.account_id
      WHERE l.id > ? AND a.person_id IS NULL ORDER BY l.id LIMIT ?`,
    [afterEntryId, limit],
  );
  return rows.map((r) => ({ check: 'orphan_entry', subject: r.idem_key, expected: 0, actual: Number(r.amount) }));
}

async function totals(conn: PoolConnection): Promise<{ accounts: number; orders: number; settlements: number; entries: number; maxOrderId: number; maxSettlementId: number }> {
  const [[t]] = await conn.query<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM premium_orders) AS orders,
            (SELECT COUNT(*) FROM settlements) AS settlements, (SELECT COUNT(*) FROM ledger_entries) AS entries,
            (SELECT COALESCE(MAX(id), 0) FROM premium_orders) AS max_order, (SELECT COALESCE(MAX(id), 0) FROM settlements) AS max_settlement`,
  );
  return {
    accounts: Number(t!.accounts), orders: Number(t!.orders), settlements: Number(t!.settlements), entries: Number(t!.entries),
    maxOrderId: Number(t!.max_order), maxSettlementId: Number(t!.max_settlement),
  };
}

/** Per account: the sum of all entries read, and the part of them old enough to fold into a checkpoint. */
class AccountSums {
  readonly all = new Map<number, number>();
  readonly settled = new Map<number, { entries: number; total: number }>();
  throughEntryId: number;
  read = 0;
  private open = false;

  constructor(from: number) { this.throughEntryId = from; }

  add(e: Entry): void {
    this.read++;
    this.all.set(e.account_id, (this.all.get(e.account_id) ?? 0) + Number(e.amount));
    // Folding stops at the first unsettled entry, so everything at or below the checkpoint id is final.
    if (!e.settled) this.open = true;
    if (this.open) return;
    const s = this.settled.get(e.account_id) ?? { entries: 0, total: 0 };
    s.entries++;
    s.total += Number(e.amount);
    this.settled.set(e.account_id, s);
    this.throughEntryId = e.id;
  }
}

const SETTLED = 'l.created_at <= NOW(3) - INTERVAL ? SECOND';

/**
 * The ledger invariants. For every account: opening balance + Σ entries (credits, adjustments,
 * refunds, negative debits) = balance. For every paid order Σ debits = premium, for every other
 * order (refunded included) entries summing to zero, and for a refunded order every debit credited
 * back to its own account, no more, and at least one. For every settlement its ledger entries equal
 * acct_pay + acct_mulaid_pay (negated for debits). A full verify streams the ledger once in id
 * order; an incremental one reads only entries above the checkpoint, the accounts whose balance moved
 * since, and the orders and settlements those entries name or that are new. A verify that holds
 * advances the checkpoint; one that does not leaves it where it was.
 */
export async function runLedgerVerify(pool: Pool, options: VerifyOptions = {}): Promise<LedgerReport> {
  const limit = options.maxProblems ?? 100;
  const settle = options.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  const checkpoint = options.full ? null : await readCheckpoint(pool);
  const result = await inSnapshot(pool, (conn) => (checkpoint ? incremental(conn, checkpoint, limit, settle) : full(conn, limit, settle)));
  const { report, save } = result;
  if (report.problems.length === 0) {
    await saveCheckpoint(pool, save.checkpoint, save.accounts, report.mode === 'full');
    report.checkpointEntryId = save.checkpoint.throughEntryId;
  } else {
    report.checkpointEntryId = checkpoint?.throughEntryId ?? (await readCheckpoint(pool))?.throughEntryId ?? null;
  }
  return report;
}

/** Full verify from zero: kept under its old name for callers that want the whole proof. */
export function verifyLedger(pool: Pool, maxProblems = 100): Promise<LedgerReport> {
  return runLedgerVerify(pool, { full: true, maxProblems, settleSeconds: 0 });
}

interface Outcome { report: LedgerReport; save: { checkpoint: LedgerCheckpoint; accounts: AccountCheckpoint[] } }

async function full(conn: PoolConnection, limit: number, settle: number): Promise<Outcome> {
  const sums = new AccountSums(0);
  for await (const e of stream<Entry>(conn, `SELECT l.id, l.account_id, l.amount, ${SETTLED} AS settled FROM ledger_entries l ORDER BY l.id`, [settle])) sums.add(e);
  const problems: LedgerProblem[] = [];
  const accounts: AccountCheckpoint[] = [];
  for await (const a of stream<{ person_id: number; psn_no: string; balance: number; opening_balance: number }>(conn,
    'SELECT a.person_id, p.psn_no, a.balance, a.opening_balance FROM accounts a JOIN persons p ON p.id = a.person_id ORDER BY a.person_id')) {
    const expected = Number(a.opening_balance) + (sums.all.get(a.person_id) ?? 0);
    if (expected !== Number(a.balance) && problems.length < limit) problems.push({ check: 'account_balance', subject: a.psn_no, expected, actual: Number(a.balance) });
    const s = sums.settled.get(a.person_id);
    if (s) accounts.push({ accountId: a.person_id, entries: s.entries, total: s.total, balance: Number(a.opening_balance) + s.total });
  }
  problems.push(...await orphanProblems(conn, limit, 0), ...await orderProblems(conn, limit), ...await refundProblems(conn, limit), ...await settlementProblems(conn, limit));
  const t = await totals(conn);
  return {
    report: { mode: 'full', ...pick(t), entriesRead: sums.read, checkpointEntryId: null, problems: problems.slice(0, limit) },
    save: { checkpoint: { throughEntryId: sums.throughEntryId, maxOrderId: t.maxOrderId, maxSettlementId: t.maxSettlementId, entries: t.entries }, accounts },
  };
}

async function incremental(conn: PoolConnection, cp: LedgerCheckpoint, limit: number, settle: number): Promise<Outcome> {
  const sums = new AccountSums(cp.throughEntryId);
  const orderIds = new Set<number>();
  const settlementIds = new Set<number>();
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT l.id, l.account_id, l.amount, l.order_id, l.settlement_id, ${SETTLED} AS settled FROM ledger_entries l WHERE l.id > ? ORDER BY l.id`,
    [settle, cp.throughEntryId],
  );
  for (const e of rows) {
    sums.add(e as Entry);
    if (e.order_id !== null) orderIds.add(e.order_id);
    if (e.settlement_id !== null) settlementIds.add(e.settlement_id);
  }
  // Accounts touched since: by an entry above the checkpoint, or by any change of balance (one pass
  // over balances, no entries): a balance changed behind the ledger's back is found either way.
  const [moved] = await conn.query<RowDataPacket[]>(
    `SELECT a.person_id FROM accounts a LEFT JOIN ledger_account_checkpoints c ON c.account_id = a.person_id
      WHERE a.balance <> COALESCE(c.balance, a.opening_balance)`,
  );
  const touched = [...new Set([...sums.all.keys(), ...moved.map((r) => r.person_id as number)])].sort((a, b) => a - b);
  const checkpoints = await readAccountCheckpoints(conn, touched);
  const problems: LedgerProblem[] = [];
  const accounts: AccountCheckpoint[] = [];
  for (let i = 0; i < touched.length; i += 5_000) {
    const [states] = await conn.query<RowDataPacket[]>(
      'SELECT a.person_id, p.psn_no, a.balance, a.opening_balance FROM accounts a JOIN persons p ON p.id = a.person_id WHERE a.person_id IN (?) ORDER BY a.person_id',
      [touched.slice(i, i + 5_000)],
    );
    for (const a of states) {
      const c = checkpoints.get(a.person_id);
      const expected = Number(a.opening_balance) + (c?.total ?? 0) + (sums.all.get(a.person_id) ?? 0);
      if (expected !== Number(a.balance) && problems.length < limit) problems.push({ check: 'account_balance', subject: a.psn_no, expected, actual: Number(a.balance) });
      const s = sums.settled.get(a.person_id);
      if (s) {
        const total = (c?.total ?? 0) + s.total;
        accounts.push({ accountId: a.person_id, entries: (c?.entries ?? 0) + s.entries, total, balance: Number(a.opening_balance) + total });
      }
    }
  }
  problems.push(
    ...await orphanProblems(conn, limit, cp.throughEntryId),
    ...await orderProblems(conn, limit, { ids: [...orderIds], after: cp.maxOrderId }),
    ...await refundProblems(conn, limit, { ids: [...orderIds], after: cp.maxOrderId }),
    ...await settlementProblems(conn, limit, { ids: [...settlementIds], after: cp.maxSettlementId }),
  );
  const t = await totals(conn);
  return {
    report: { mode: 'incremental', ...pick(t), entriesRead: sums.read, checkpointEntryId: null, problems: problems.slice(0, limit) },
    save: { checkpoint: { throughEntryId: sums.throughEntryId, maxOrderId: t.maxOrderId, maxSettlementId: t.maxSettlementId, entries: t.entries }, accounts },
  };
}

function pick(t: { accounts: number; orders: number; settlements: number; entries: number }) {
  return { accounts: t.accounts, orders: t.orders, settlements: t.settlements, entries: t.entries };
}
