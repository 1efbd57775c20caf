import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { ShanghaiTime } from '../domain/time.ts';

/** A settlement event as its import row describes it: what "the same row again" compares. */
export interface SettlementEvent {
  setlId: string;
  mdtrtId: string | null;
  psnNo: string;
  fixmedinsCode: string;
  setlTime: ShanghaiTime;
  medfeeSumamt: Fen;
  personalBurden: Fen;
  origSetlId: string | null;
  /** Null when the file did not say (SPEC 11: unknown, not compared). */
  fundPaySumamt: Fen | null;
  insutype: string | null;
  clrType: string | null;
}

export interface StoredSettlement extends SettlementEvent {
  id: number;
  personId: number;
  institutionId: number;
  acctPay: Fen;
  acctMulaidPay: Fen;
  cashPay: Fen;
  /** Id of the refund of this settlement, if any. */
  refundedBy: number | null;
}

export async function findSettlements(conn: PoolConnection, setlIds: Iterable<string>): Promise<Map<string, StoredSettlement>> {
  const ids = [...new Set(setlIds)];
  if (ids.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT s.id, s.setl_id, s.mdtrt_id, s.psn_no, s.fixmedins_code, s.setl_time, s.medfee_sumamt, s.personal_burden,
            s.fund_pay_sumamt, s.insutype, s.clr_type,
            s.person_id, s.institution_id, s.acct_pay, s.acct_mulaid_pay, s.cash_pay,
            o.setl_id AS orig_setl_id, r.id AS refunded_by
       FROM settlements s
       LEFT JOIN settlements o ON o.id = s.orig_settlement_id
       LEFT JOIN settlements r ON r.orig_settlement_id = s.id
      WHERE s.setl_id IN (?)`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.setl_id as string,
      {
        id: r.id, setlId: r.setl_id, mdtrtId: r.mdtrt_id, psnNo: r.psn_no, fixmedinsCode: r.fixmedins_code, setlTime: r.setl_time,
        medfeeSumamt: r.medfee_sumamt, personalBurden: r.personal_burden, origSetlId: r.orig_setl_id,
        fundPaySumamt: r.fund_pay_sumamt, insutype: r.insutype, clrType: r.clr_type,
        personId: r.person_id, institutionId: r.institution_id, acctPay: r.acct_pay, acctMulaidPay: r.acct_mulaid_pay, cashPay: r.cash_pay,
        refundedBy: r.refunded_by,
      },
    ]),
  );
}

/** The event by reference, not copied: a copy of its fields per row costs more than the rest of the row's work. */
export interface NewSettlement {
  event: SettlementEvent;
  personId: number;
  institutionId: number;
  acctPay: Fen;
  acctMulaidPay: Fen;
  cashPay: Fen;
  origSettlementId: number | null;
}

/** Inserts settlements and returns their row ids by setl_id (ledger keys are built from them). */
export async function insertSettlements(conn: PoolConnection, settlements: readonly NewSettlement[]): Promise<Map<string, number>> {
  if (settlements.length === 0) return new Map();
  await conn.query(
    `INSERT INTO settlements (setl_id, mdtrt_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date,
                              medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay, orig_settlement_id, fund_pay_sumamt, insutype,
                              clr_type) VALUES ?`,
    [
      settlements.map(({ event: e, personId, institutionId, acctPay, acctMulaidPay, cashPay, origSettlementId }) => [
        e.setlId, e.mdtrtId, personId, e.psnNo, institutionId, e.fixmedinsCode, e.setlTime, e.setlTime.slice(0, 10),
        e.medfeeSumamt, e.personalBurden, acctPay, acctMulaidPay, cashPay, origSettlementId, e.fundPaySumamt, e.insutype, e.clrType,
      ]),
    ],
  );
  // Read the ids back: with innodb_autoinc_lock_mode=2 (MySQL 8's default) a multi-row insert's ids need not be consecutive.
  const [rows] = await conn.query<RowDataPacket[]>('SELECT id, setl_id FROM settlements WHERE setl_id IN (?)', [settlements.map((s) => s.event.setlId)]);
  return new Map(rows.map((r) => [r.setl_id as string, r.id as number]));
}

/** Reads into the buffer pool the person index pages these patients' next settlements go to (see readAccountPages). */
export async function readPersonIndexPages(pool: Pool, personIds: readonly number[]): Promise<void> {
  if (personIds.length > 0) await pool.query('SELECT COUNT(*) FROM settlements WHERE person_id IN (?)', [personIds]);
}
