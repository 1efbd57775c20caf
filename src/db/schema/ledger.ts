import { bigint, index, int, mysqlEnum, mysqlTable, timestamp, tinyint, uniqueIndex } from 'drizzle-orm/mysql-core';
import { asciiKey, fen, shanghaiTime, textKey } from './columns.ts';

export const LEDGER_KINDS = ['debit', 'credit', 'adjustment', 'refund'] as const;

/**
 * Every movement of personal-account money. Append-only: an entry is never updated or deleted.
 * `amount` is the signed change to the balance (debits negative).
 */
export const ledgerEntries = mysqlTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /**
     * Unique per movement, built from ascending ids (e.g. P{order id}-{payer id}) so the UNIQUE index
     * grows at its right edge and stays in the buffer pool at millions of rows.
     */
    idemKey: asciiKey('idem_key', 48).notNull(),
    accountId: int('account_id', { unsigned: true }).notNull(),
    kind: mysqlEnum('kind', LEDGER_KINDS).notNull(),
    amount: fen('amount').notNull(),
    /** Set on premium debits. */
    orderId: int('order_id', { unsigned: true }),
    /** Set on settlement debits and refund credits (the settlement or refund row). */
    settlementId: bigint('settlement_id', { mode: 'number', unsigned: true }),
    /** Set on monthly credits. */
    creditId: bigint('credit_id', { mode: 'number', unsigned: true }),
    createdAt: timestamp('created_at', { fsp: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_idem_key_uq').on(t.idemKey),
    // Serves the payments of an order (orders export, ledger verify).
    index('ledger_order_idx').on(t.orderId),
    // Serves the debits of a settlement (refunds, reconciliation).
    index('ledger_settlement_idx').on(t.settlementId),
    // Serves a person's statement: every movement of one account, in entry order.
    index('ledger_account_idx').on(t.accountId, t.id),
  ],
);

/** Monthly credits into personal accounts (每月划入), applied once by credit_id. */
export const credits = mysqlTable(
  'credits',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    creditId: textKey('credit_id', 64).notNull(),
    personId: int('person_id', { unsigned: true }).notNull(),
    amount: fen('amount').notNull(),
    creditedAt: shanghaiTime('credited_at').notNull(),
  },
  (t) => [uniqueIndex('credits_credit_id_uq').on(t.creditId)],
);

/**
 * The last ledger proof that held (one row, id 1): entries up to `through_entry_id` are folded into
 * `ledger_account_checkpoints`, so the next `ledger verify` reads only what came after.
 */
export const ledgerCheckpoint = mysqlTable('ledger_checkpoint', {
  id: tinyint('id', { unsigned: true }).primaryKey(),
  throughEntryId: bigint('through_entry_id', { mode: 'number', unsigned: true }).notNull(),
  /** Orders and settlements above these ids are new since the checkpoint: checked even without entries. */
  maxOrderId: int('max_order_id', { unsigned: true }).notNull(),
  maxSettlementId: bigint('max_settlement_id', { mode: 'number', unsigned: true }).notNull(),
  /** Entries at or below `through_entry_id`: with the entries above it, the ledger's size without counting it. */
  entries: bigint('entries', { mode: 'number', unsigned: true }).notNull(),
  /** Orders and settlements at or below `max_order_id` and `max_settlement_id`, likewise. */
  orders: int('orders', { unsigned: true }).notNull().default(0),
  settlements: bigint('settlements', { mode: 'number', unsigned: true }).notNull().default(0),
  verifiedAt: timestamp('verified_at', { fsp: 3 }).notNull().defaultNow(),
});

/** Per account, as of the checkpoint's entry id: its entries, their sum, and the balance they prove. */
export const ledgerAccountCheckpoints = mysqlTable('ledger_account_checkpoints', {
  accountId: int('account_id', { unsigned: true }).primaryKey(),
  entries: int('entries', { unsigned: true }).notNull(),
  total: fen('total').notNull(),
  balance: fen('balance').notNull(),
});
