import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import { maskIdNumber } from '../domain/id-number.ts';
import { formatYuan } from '../domain/money.ts';
import {
  compareStatementRows, inPeriod, statementTotals, toStatementRow, type StatementDirection, type StatementEntry, type StatementPeriod, type StatementRow,
  type StatementTotal,
} from '../domain/statement.ts';
import { withOffset } from '../domain/time.ts';

/** Whose statement it is; the ID number and name are masked as soon as they are read, so no output can leak them. */
export interface StatementPerson {
  id: number;
  psnNo: string;
  maskedIdNumber: string;
  maskedName: string;
}

/** A name shown masked: its first character only (张**). */
const maskName = (name: string) => {
  const chars = [...name];
  return `${chars[0] ?? ''}${'*'.repeat(Math.max(chars.length - 1, 1))}`;
};

export async function findStatementPerson(db: Queryable, psnNo: string): Promise<StatementPerson | null> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT id, psn_no, id_number, name FROM persons WHERE psn_no = ?', [psnNo]);
  const r = rows[0];
  return r ? { id: r.id, psnNo: r.psn_no, maskedIdNumber: maskIdNumber(r.id_number), maskedName: maskName(r.name) } : null;
}

// Premium times are the ledger entry's (when the money moved), to the second like every business time.
const ENTRY_TIME = "DATE_FORMAT(le.created_at, '%Y-%m-%d %H:%i:%s')";

/**
 * Paid for relatives: this person's account entries (ledger_account_idx) that are premium debits or
 * refunds, or settlement debits or refunds of another patient. Own-account spending, credits and
 * adjustments are not mutual aid.
 */
const PAID_FOR = `
  SELECT 'paid_for' AS direction, IF(le.order_id IS NULL, 'medical', 'premium') AS source, le.kind, le.amount,
         IF(le.order_id IS NULL, s.setl_time, ${ENTRY_TIME}) AS time,
         IF(le.order_id IS NULL, s.setl_id, CAST(le.order_id AS CHAR)) AS reference,
         COALESCE(o.psn_no, s.psn_no) AS counterpart, COALESCE(s.fixmedins_code, '') AS fixmedins_code,
         COALESCE(o.person_id, s.person_id) AS relative
    FROM ledger_entries le
    LEFT JOIN premium_orders o ON o.id = le.order_id
    LEFT JOIN settlements s ON s.id = le.settlement_id
   WHERE le.account_id = ? AND (le.order_id IS NOT NULL OR (le.settlement_id IS NOT NULL AND s.person_id <> le.account_id))`;

/** Premiums relatives paid for this person (orders_person_idx, then ledger_order_idx). */
const PAID_BY_PREMIUM = `
  SELECT 'paid_by' AS direction, 'premium' AS source, le.kind, le.amount, ${ENTRY_TIME} AS time, CAST(o.id AS CHAR) AS reference,
         payer.psn_no AS counterpart, '' AS fixmedins_code, le.account_id AS relative
    FROM premium_orders o
    JOIN ledger_entries le ON le.order_id = o.id
    JOIN persons payer ON payer.id = le.account_id
   WHERE o.person_id = ?`;

/** Bills relatives' accounts paid for this patient, and their refunds (settlements_person_idx, then ledger_settlement_idx). */
const PAID_BY_MEDICAL = `
  SELECT 'paid_by' AS direction, 'medical' AS source, le.kind, le.amount, s.setl_time AS time, s.setl_id AS reference,
         payer.psn_no AS counterpart, s.fixmedins_code, le.account_id AS relative
    FROM settlements s
    JOIN ledger_entries le ON le.settlement_id = s.id AND le.account_id <> s.person_id
    JOIN persons payer ON payer.id = le.account_id
   WHERE s.person_id = ?`;

/**
 * The person's bindings on both sides, by the relative's id: a few rows read once, instead of one
 * bindings lookup per movement (a payer may have paid thousands of bills of the same relative).
 */
async function relationshipsOf(db: Queryable, personId: number): Promise<Record<StatementDirection, Map<number, string>>> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT beneficiary_id, payer_id, relationship FROM bindings WHERE payer_id = ? OR beneficiary_id = ?', [personId, personId],
  );
  const found = { paid_for: new Map<number, string>(), paid_by: new Map<number, string>() };
  for (const r of rows) {
    if (r.payer_id === personId) found.paid_for.set(r.beneficiary_id, r.relationship);
    if (r.beneficiary_id === personId) found.paid_by.set(r.payer_id, r.relationship);
  }
  return found;
}

/** Every movement of mutual-aid money the person took part in, on either side, in statement order (SPEC 9). */
export async function readStatement(db: Queryable, personId: number, period: StatementPeriod): Promise<StatementRow[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `${PAID_FOR} UNION ALL ${PAID_BY_PREMIUM} UNION ALL ${PAID_BY_MEDICAL}`,
    [personId, personId, personId],
  );
  const relationships = await relationshipsOf(db, personId);
  return rows
    .filter((r) => inPeriod(r.time, period))
    .map((r) => toStatementRow({
      time: r.time, direction: r.direction, source: r.source, refund: r.kind === 'refund', balanceChange: r.amount, counterpartPsnNo: r.counterpart,
      relationship: relationships[r.direction as StatementDirection].get(r.relative) ?? '', fixmedinsCode: r.fixmedins_code, reference: r.reference,
    } satisfies StatementEntry))
    .sort(compareStatementRows);
}

export interface Statement {
  person: StatementPerson;
  period: StatementPeriod;
  rows: StatementRow[];
  totals: StatementTotal[];
}

/** A person's statement, or null when no person has this psn_no. */
export async function loadStatement(db: Queryable, psnNo: string, period: StatementPeriod): Promise<Statement | null> {
  const person = await findStatementPerson(db, psnNo);
  if (!person) return null;
  const rows = await readStatement(db, person.id, period);
  return { person, period, rows, totals: statementTotals(rows) };
}

/** A statement row as every output writes it: yuan with 2 decimals, time with its offset; CSV and JSON share the column names. */
export function formatStatementRow(r: StatementRow): Record<(typeof STATEMENT_COLUMNS)[number], string> {
  return {
    time: withOffset(r.time), direction: r.direction, kind: r.kind, counterpart_psn_no: r.counterpartPsnNo, relationship: r.relationship,
    fixmedins_code: r.fixmedinsCode, reference: r.reference, amount: formatYuan(r.amount),
  };
}

export const STATEMENT_COLUMNS = ['time', 'direction', 'kind', 'counterpart_psn_no', 'relationship', 'fixmedins_code', 'reference', 'amount'] as const;
