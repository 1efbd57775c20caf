import type { Pool } from 'mysql2/promise';
import { streamOrders } from '../../src/campaign/orders.queries.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';

export interface OrderView {
  status: string;
  code: string | null;
  /** "payer:fen;payer:fen" in deduction order. */
  payments: string;
}

/** A campaign's orders keyed by beneficiary psn_no. */
export async function ordersByPsn(pool: Pool, campaignId: number): Promise<Record<string, OrderView>> {
  const out: Record<string, OrderView> = {};
  for await (const page of streamOrders(pool, campaignId)) {
    for (const o of page) out[o.psnNo] = { status: o.status, code: o.failureCode, payments: o.payments.map((p) => `${p.payerPsnNo}:${p.amount}`).join(';') };
  }
  return out;
}

export async function detailOf(pool: Pool, campaignId: number, psnNo: string): Promise<string | null> {
  const [rows] = await pool.query('SELECT detail FROM premium_orders WHERE campaign_id = ? AND psn_no = ?', [campaignId, psnNo]);
  return (rows as { detail: string | null }[])[0]?.detail ?? null;
}

export async function ledgerCount(pool: Pool): Promise<number> {
  const [rows] = await pool.query('SELECT COUNT(*) AS n FROM ledger_entries');
  return Number((rows as { n: number }[])[0]!.n);
}

/** Fails the test with the list of problems when any ledger invariant is broken. */
export async function expectLedgerConsistent(pool: Pool): Promise<void> {
  const report = await verifyLedger(pool);
  if (report.problems.length > 0) throw new Error(`ledger inconsistent: ${JSON.stringify(report.problems)}`);
}
