import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface LedgerProblem {
  check: 'account_balance' | 'order_debits' | 'order_refunds' | 'settlement_debits' | 'orphan_entry';
  /** psn_no, order id or setl_id the problem is about. */
  subject: string;
  expected: number;
  actual: number;
}

export interface LedgerReport {
  accounts: number;
  orders: number;
  settlements: number;
  entries: number;
  problems: LedgerProblem[];
}

/**
 * The ledger invariants. For every account: opening balance + Σ entries (credits, adjustments,
 * refunds, negative debits) = balance. For every paid order Σ debits = premium, for every other
 * order no debit (a refunded order's entries sum to zero: every debit credited back to its own
 * account, no more, and at least one). For every settlement its ledger entries equal acct_pay + acct_mulaid_pay (negated
 * for debits). Each check is one aggregate query, so it runs on millions of rows.
 */
export async function verifyLedger(pool: Pool, maxProblems = 100): Promise<LedgerReport> {
  const problems: LedgerProblem[] = [];
  const [accounts] = await pool.query<RowDataPacket[]>(
    `SELECT p.psn_no, a.balance, a.opening_balance + COALESCE(s.total, 0) AS expected
       FROM accounts a
       JOIN persons p ON p.id = a.person_id
       LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) s ON s.account_id = a.person_id
      WHERE a.balance <> a.opening_balance + COALESCE(s.total, 0)
      LIMIT ?`,
    [maxProblems],
  );
  for (const r of accounts) problems.push({ check: 'account_balance', subject: r.psn_no, expected: Number(r.expected), actual: Number(r.balance) });

  const [orphans] = await pool.query<RowDataPacket[]>(
    `SELECT l.idem_key, l.amount FROM ledger_entries l LEFT JOIN accounts a ON a.person_id = l.account_id
      WHERE a.person_id IS NULL LIMIT ?`,
    [maxProblems],
  );
  for (const r of orphans) problems.push({ check: 'orphan_entry', subject: r.idem_key, expected: 0, actual: Number(r.amount) });

  const [orders] = await pool.query<RowDataPacket[]>(
    `SELECT o.id, o.status, CASE WHEN o.status = 'paid' THEN o.premium ELSE 0 END AS expected, COALESCE(-SUM(l.amount), 0) AS debited
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id
      GROUP BY o.id, o.status, o.premium
     HAVING debited <> expected
      LIMIT ?`,
    [maxProblems],
  );
  for (const r of orders) problems.push({ check: 'order_debits', subject: `order ${r.id} (${r.status})`, expected: Number(r.expected), actual: Number(r.debited) });

  const [refunded] = await pool.query<RowDataPacket[]>(
    `SELECT o.id, p.psn_no, COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN -l.amount END), 0) AS debited,
            COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount END), 0) AS refunded
       FROM premium_orders o LEFT JOIN ledger_entries l ON l.order_id = o.id LEFT JOIN persons p ON p.id = l.account_id
      WHERE o.status = 'refunded'
      GROUP BY o.id, l.account_id, p.psn_no
     HAVING debited <> refunded OR debited = 0
      LIMIT ?`,
    [maxProblems],
  );
  for (const r of refunded) {
    problems.push({ check: 'order_refunds', subject: `order ${r.id} (refunded) account ${r.psn_no ?? 'none'}`, expected: Number(r.debited), actual: Number(r.refunded) });
  }

  const [settlements] = await pool.query<RowDataPacket[]>(
    `SELECT s.setl_id, s.acct_pay + s.acct_mulaid_pay AS expected, COALESCE(-SUM(l.amount), 0) AS moved
       FROM settlements s LEFT JOIN ledger_entries l ON l.settlement_id = s.id
      GROUP BY s.id, s.setl_id, s.acct_pay, s.acct_mulaid_pay
     HAVING moved <> expected
      LIMIT ?`,
    [maxProblems],
  );
  for (const r of settlements) problems.push({ check: 'settlement_debits', subject: r.setl_id, expected: Number(r.expected), actual: Number(r.moved) });

  const [[totals]] = await pool.query<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM premium_orders) AS orders,
            (SELECT COUNT(*) FROM settlements) AS settlements, (SELECT COUNT(*) FROM ledger_entries) AS entries`,
  );
  return {
    accounts: Number(totals!.accounts), orders: Number(totals!.orders), settlements: Number(totals!.settlements), entries: Number(totals!.entries),
    problems: problems.slice(0, maxProblems),
  };
}
