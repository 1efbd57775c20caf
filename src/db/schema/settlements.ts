import { bigint, date, index, int, mysqlTable, uniqueIndex } from 'drizzle-orm/mysql-core';
import { asciiKey, fen, shanghaiTime, textKey } from './columns.ts';

/**
 * Medical settlement events at designated institutions, applied once by setl_id. A refund is a row
 * of its own (orig_settlement_id set) whose amounts are the original's, negated.
 */
export const settlements = mysqlTable(
  'settlements',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    setlId: textKey('setl_id', 64).notNull(),
    mdtrtId: textKey('mdtrt_id', 64),
    personId: int('person_id', { unsigned: true }).notNull(),
    psnNo: asciiKey('psn_no', 30).notNull(),
    institutionId: int('institution_id', { unsigned: true }).notNull(),
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    setlTime: shanghaiTime('setl_time').notNull(),
    /** The Shanghai date of setl_time: the business day reconciliation files report it on. */
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    medfeeSumamt: fen('medfee_sumamt').notNull(),
    personalBurden: fen('personal_burden').notNull(),
    /** Paid from the patient's own personal account. */
    acctPay: fen('acct_pay').notNull(),
    /** Paid from family members' accounts (共济). */
    acctMulaidPay: fen('acct_mulaid_pay').notNull(),
    /** The rest of the personal burden, paid in cash outside this system. */
    cashPay: fen('cash_pay').notNull(),
    /** Paid by the pooled funds (统筹基金支出), as settlements.csv reports it; null when unknown (not compared). */
    fundPaySumamt: fen('fund_pay_sumamt'),
    /** The scheme (险种类型, e.g. 310, 390) and settlement category (清算类别) the 3201 totals are grouped by; null when unknown. */
    insutype: asciiKey('insutype', 6),
    clrType: asciiKey('clr_type', 10),
    /** For a refund: the settlement it reverses. UNIQUE, so a settlement is refunded at most once. */
    origSettlementId: bigint('orig_settlement_id', { mode: 'number', unsigned: true }),
  },
  (t) => [
    uniqueIndex('settlements_setl_id_uq').on(t.setlId),
    uniqueIndex('settlements_orig_uq').on(t.origSettlementId),
    // Serves reconciliation: the ledger's settlements of one business day per institution, in setl_id
    // order, with everything a file row is compared with and a MISSING_IN_FILE outcome records (and
    // the id, which InnoDB appends), so that reading a day of a million never touches the table's
    // rows: a quarter of the bytes, from pages a settlements import has just written.
    index('settlements_day_institution_idx').on(
      t.businessDate, t.fixmedinsCode, t.setlId, t.psnNo, t.acctPay, t.acctMulaidPay, t.medfeeSumamt, t.fundPaySumamt, t.setlTime,
    ),
    // Serves the day finaliser's count of each institution's settlements: a fifth of the index above,
    // which is larger than a default buffer pool at a million settlements a day, so counting there read
    // it all again from disk.
    index('settlements_day_count_idx').on(t.businessDate, t.fixmedinsCode),
    // Serves a patient's statement: the bills relatives' accounts paid for them.
    index('settlements_person_idx').on(t.personId),
  ],
);
