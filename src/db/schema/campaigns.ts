import { date, char, index, int, mysqlEnum, mysqlTable, smallint, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { asciiKey, fen, shanghaiTime } from './columns.ts';

export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'skipped'] as const;

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
    /** Fixed when the order is planned. */
    premium: fen('premium').notNull(),
    status: mysqlEnum('status', ORDER_STATUSES).notNull().default('pending'),
    /** INSUFFICIENT_BALANCE, WRONG_PAYEE or BENEFICIARY_INELIGIBLE; null unless failed or skipped. */
    failureCode: varchar('failure_code', { length: 32 }),
    /** Human-readable reason; for WRONG_PAYEE the refusal of every binding. */
    detail: text('detail'),
    /** How many times the order was charged (first try plus retries). */
    attempts: int('attempts', { unsigned: true }).notNull().default(0),
    plannedAt: shanghaiTime('planned_at').notNull(),
    chargedAt: shanghaiTime('charged_at'),
  },
  (t) => [
    uniqueIndex('orders_campaign_person_uq').on(t.campaignId, t.personId),
    // Serves status counts, "pending orders of a campaign" and failures by code.
    index('orders_campaign_status_idx').on(t.campaignId, t.status, t.failureCode),
    // Serves orders export in psn_no order.
    index('orders_campaign_psn_idx').on(t.campaignId, t.psnNo),
    // Serves a beneficiary's statement: the premiums relatives paid for them.
    index('orders_person_idx').on(t.personId),
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
