import { bigint, int, mysqlEnum, mysqlTable, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { fen } from './columns.ts';

export const NOTICE_EVENTS = [
  'premium_paid_for_relative', 'premium_paid_by_family', 'premium_failed', 'medical_paid_for_relative', 'medical_refunded', 'premium_refunded',
] as const;

/**
 * The notices outbox (SPEC 9): one row per event a person must hear about, written in the
 * transaction of the money movement or outcome; a messaging gateway reads it in id order. A notice
 * holds no balance, name or ID number.
 */
export const notices = mysqlTable(
  'notices',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    event: mysqlEnum('event', NOTICE_EVENTS).notNull(),
    /** The premium order (premium events) or the settlement row (medical events; a refund's own row). */
    sourceId: bigint('source_id', { mode: 'number', unsigned: true }).notNull(),
    /** persons.id of the person told. */
    personId: int('person_id', { unsigned: true }).notNull(),
    /** persons.id of the relative on the other side; 0 when none (premium_failed). 0, not NULL: NULLs never collide in a UNIQUE index. */
    counterpartId: int('counterpart_id', { unsigned: true }).notNull(),
    /** Positive fen; null for premium_failed. */
    amount: fen('amount'),
    /** The failure code of premium_failed; empty otherwise. */
    code: varchar('code', { length: 32 }).notNull().default(''),
    createdAt: timestamp('created_at').notNull().defaultNow(),
  },
  (t) => [
    // One notice per event, whatever is retried or redelivered: a rewrite hits this key and is a no-op.
    // Source ids ascend, so the key grows at its right edge per event.
    uniqueIndex('notices_event_uq').on(t.event, t.sourceId, t.personId, t.counterpartId, t.code),
  ],
);
