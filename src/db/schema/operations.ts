import { index, int, mysqlEnum, mysqlTable, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { asciiKey, shanghaiTime } from './columns.ts';

export const SCHEDULES = ['recon', 'campaign'] as const;

/**
 * One row per schedule tick that was run. The UNIQUE (schedule, tick) key is what makes several
 * scheduler processes, a late cron callback and a catch-up after downtime produce one run per tick:
 * whoever inserts the row enqueues the job, everyone else does nothing.
 */
export const scheduleRuns = mysqlTable(
  'schedule_runs',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    /** recon: nightly reconciliation of the previous business day; campaign: daily run + INSUFFICIENT_BALANCE retry. */
    schedule: mysqlEnum('schedule', SCHEDULES).notNull(),
    /** The cron slot this run belongs to, Asia/Shanghai wall clock (not when it actually started). */
    tick: shanghaiTime('tick').notNull(),
    /** cron: fired on time; catch-up: enqueued later by a scheduler that had been down or blocked. */
    firedBy: mysqlEnum('fired_by', ['cron', 'catch-up']).notNull(),
    /** BullMQ job id, derived from schedule and tick. */
    jobId: asciiKey('job_id', 64).notNull(),
    createdAt: timestamp('created_at').notNull().defaultNow(),
    finishedAt: timestamp('finished_at'),
    /** What the tick did once finished (JSON): campaigns run, reconciliation date, failures. */
    summary: text('summary'),
  },
  (t) => [
    // Serves the one-run-per-tick guarantee and "latest tick of a schedule" for catch-up.
    uniqueIndex('schedule_runs_tick_uq').on(t.schedule, t.tick),
  ],
);

/** cli: a command; api: /api with a Bearer token; console: the browser console. */
export const OPERATOR_SOURCES = ['cli', 'api', 'console'] as const;

/**
 * The audit trail: every action an operator asked for, from the CLI or the admin API. Rows are only
 * ever inserted, except that the outcome of a run is filled in once it finishes.
 */
export const operatorActions = mysqlTable(
  'operator_actions',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    /** CLI: --operator or the OS user; API and console: the token's name (ADMIN_TOKEN_NAME for ADMIN_TOKEN). */
    operator: varchar('operator', { length: 64 }).notNull(),
    source: mysqlEnum('source', OPERATOR_SOURCES).notNull(),
    /** campaign.create, campaign.run, campaign.resume, retry, recon.run */
    action: varchar('action', { length: 32 }).notNull(),
    /** The request as given (JSON): ids, codes, dates; never personal data. */
    params: text('params').notNull(),
    /** The campaign run the action started, if any: its finish fills orders_touched. */
    campaignRunId: int('campaign_run_id', { unsigned: true }),
    /** Orders the action's run charged (paid, failed or skipped again); null until it finishes. */
    ordersTouched: int('orders_touched', { unsigned: true }),
    createdAt: timestamp('created_at').notNull().defaultNow(),
    finishedAt: timestamp('finished_at'),
  },
  (t) => [
    // Serves filling in the outcome when a run finishes.
    index('operator_actions_run_idx').on(t.campaignRunId),
  ],
);
