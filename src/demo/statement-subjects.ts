import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';

/**
 * Mutual-aid pairs of the ledger (who paid for whom, premiums and bills): the demo shows the
 * statement of the payer with the most relatives and of the relative with the most payers. Whole
 * scans, fine at the demo's size; statements themselves never scan.
 */
const PAIRS = `
  SELECT le.account_id AS payer_id, COALESCE(o.person_id, s.person_id) AS beneficiary_id
    FROM ledger_entries le
    LEFT JOIN premium_orders o ON o.id = le.order_id
    LEFT JOIN settlements s ON s.id = le.settlement_id
   WHERE le.kind = 'debit' AND (le.order_id IS NOT NULL OR s.person_id <> le.account_id)`;

async function mostConnected(db: Queryable, side: 'payer_id' | 'beneficiary_id', other: 'payer_id' | 'beneficiary_id'): Promise<string | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT p.psn_no FROM (${PAIRS}) pairs JOIN persons p ON p.id = pairs.${side}
      GROUP BY pairs.${side}, p.psn_no ORDER BY COUNT(DISTINCT pairs.${other}) DESC, COUNT(*) DESC, p.psn_no LIMIT 1`,
  );
  return rows[0]?.psn_no ?? null;
}

export async function statementSubjects(db: Queryable): Promise<{ payer: string | null; relative: string | null }> {
  return { payer: await mostConnected(db, 'payer_id', 'beneficiary_id'), relative: await mostConnected(db, 'beneficiary_id', 'payer_id') };
}
