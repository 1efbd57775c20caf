import { date, char, index, int, mysqlEnum, mysqlTable, primaryKey, smallint, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { asciiKey, fen, shanghaiTime, textKey } from './columns.ts';

/** refunded: a paid order whose every debit was credited back; it is never charged again. */
export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'skipped', 'refunded'] as const;

/** One annual premium collection (集中征缴) for one province and coverage year. */
export const campaigns = mysqlTable(
  'campaigns',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    year: smallint('year', { unsigned: true }).notNull(),
    province: char('province', { length: 2 }).notNull(),
    /** The window limits the daily scheduled run only; operators may run a campaign any time. */
    windowStart: date('window_start', { mode: 'string' }).notNull(),
    windowEnd: date('window_end', { mode: 'string' }).notNull(),
    /** single: one payer covers it all; split: payers contribute in deduction order. */
    mode: mysqlEnum('mode', ['single', 'split']).notNull(),
    premiumAdult: fen('premium_adult').notNull(),
    premiumMinor: fen('premium_minor').notNull(),
    premiumStudent: fen('premium_student').notNull(),
    premiumSenior: fen('premium_senior').notNull(),
    createdAt: timestamp('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('campaigns_year_province_uq').on(t.year, t.province)],
);

/** One premium order per (campaign, beneficiary), whatever runs twice. */
export const premiumOrders = mysqlTable(
  'premium_orders',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    campaignId: int('campaign_id', { unsigned: true }).notNull(),
    personId: int('person_id', { unsigned: true }).notNull(),
    /** Copied from persons so chunks sort and exports page without a join. */
    psnNo: asciiKey('psn_no', 30).notNull(),
    residentCategory: mysqlEnum('resident_category', ['adult', 'minor', 'student', 'senior']).notNull(),
    /** The beneficiary's subsidy tier when planned (null: none); with the category, how campaign status groups money. */
    subsidyTier: asciiKey('subsidy_tier', 32),
    /** Fixed when the order is planned. */
    premium: fen('premium').notNull(),
    status: mysqlEnum('status', ORDER_STATUSES).notNull().default('pending'),
    /** INSUFFICIENT_BALANCE, WRONG_PAYEE, BENEFICIARY_INELIGIBLE or ALREADY_PAID (paid through another channel); null unless failed or skipped. */
    failureCode: varchar('failure_code', { length: 32 }),
    /** Human-readable reason; for WRONG_PAYEE the refusal of every binding. */
    detail: text('detail'),
    /** How many times the order was charged (first try plus retries). */
    attempts: int('attempts', { unsigned: true }).notNull().default(0),
    plannedAt: shanghaiTime('planned_at').notNull(),
    chargedAt: shanghaiTime('charged_at'),
    /** When the refund committed; null unless refunded. */
    refundedAt: shanghaiTime('refunded_at'),
    /** When the order was first handed off to the tax bureau; a receipt is due within 7 days of it. */
    handedOffAt: shanghaiTime('handed_off_at'),
  },
  (t) => [
    uniqueIndex('orders_campaign_person_uq').on(t.campaignId, t.personId),
    // Serves status counts, "pending orders of a campaign" and failures by code; with the premium,
    // a campaign's counts and sums by status (at the end of every run) never read the table's rows.
    index('orders_campaign_status_idx').on(t.campaignId, t.status, t.failureCode, t.premium),
    // Serves orders export in psn_no order.
    index('orders_campaign_psn_idx').on(t.campaignId, t.psnNo),
    // Serves a beneficiary's statement: the premiums relatives paid for them.
    index('orders_person_idx').on(t.personId),
  ],
);

/**
 * A campaign's premium schedule (SPEC 10): the premium of residents of a division prefix, category
 * and subsidy tier. A row naming the tier beats every row without one; then the longest prefix wins.
 */
export const campaignPremiumRules = mysqlTable(
  'campaign_premium_rules',
  {
    campaignId: int('campaign_id', { unsigned: true }).notNull(),
    residentCategory: mysqlEnum('resident_category', ['adult', 'minor', 'student', 'senior']).notNull(),
    /** '' when the row holds for every tier (a key column cannot be null). */
    subsidyTier: asciiKey('subsidy_tier', 32).notNull(),
    /** 2, 4 or 6 digits of admdvs: province, city or county. */
    admdvsPrefix: varchar('admdvs_prefix', { length: 6 }).notNull(),
    /** 0: fully subsidised, no order. */
    premium: fen('premium').notNull(),
  },
  // The key serves planning's lookup of the rows matching one person.
  (t) => [primaryKey({ name: 'campaign_premium_rules_pk', columns: [t.campaignId, t.residentCategory, t.subsidyTier, t.admdvsPrefix] })],
);

export const RECEIPT_OUTCOMES = ['RECEIVED', 'AMOUNT_DIFFERS', 'UNKNOWN_ORDER', 'ALREADY_PAID', 'DOUBLE_PAID'] as const;

/** The tax bureau's receipts (集中征缴), each applied once by receipt_no. */
export const taxReceipts = mysqlTable(
  'tax_receipts',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    receiptNo: textKey('receipt_no', 64).notNull(),
    psnNo: asciiKey('psn_no', 30).notNull(),
    year: smallint('year', { unsigned: true }).notNull(),
    amount: fen('amount').notNull(),
    /** family_account: our payment; other: the person paid through another channel. */
    channel: mysqlEnum('channel', ['family_account', 'other']).notNull(),
    paidAt: shanghaiTime('paid_at').notNull(),
    /** The campaign of the receipt's year and the person's province; null for an unknown person or year. */
    campaignId: int('campaign_id', { unsigned: true }),
    /** The order the receipt was matched to, if any. */
    orderId: int('order_id', { unsigned: true }),
    outcome: mysqlEnum('outcome', RECEIPT_OUTCOMES).notNull(),
    detail: text('detail'),
    importedAt: timestamp('imported_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tax_receipts_receipt_no_uq').on(t.receiptNo),
    // Serves the hand-off report of a campaign and "orders without a receipt".
    index('tax_receipts_campaign_idx').on(t.campaignId, t.outcome),
    index('tax_receipts_order_idx').on(t.orderId),
  ],
);

/** Each `campaign run` or `retry` request: the base of its job ids and its audit line. */
export const campaignRuns = mysqlTable('campaign_runs', {
  id: int('id', { unsigned: true }).autoincrement().primaryKey(),
  campaignId: int('campaign_id', { unsigned: true }).notNull(),
  /** run: plan + pay pending; retry: re-evaluate failed/skipped orders. */
  kind: mysqlEnum('kind', ['run', 'retry']).notNull(),
  /** For retries: the order or failure code targeted (JSON). */
  params: text('params'),
  requestedBy: varchar('requested_by', { length: 64 }).notNull(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
  finishedAt: timestamp('finished_at'),
  /** Counts by outcome once finished (JSON). */
  summary: text('summary'),
});
