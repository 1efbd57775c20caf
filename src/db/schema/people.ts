import { sql } from 'drizzle-orm';
import { boolean, check, index, int, mysqlEnum, mysqlTable, primaryKey, smallint, timestamp, uniqueIndex, varchar, char } from 'drizzle-orm/mysql-core';
import { asciiKey, fen, shanghaiTime } from './columns.ts';

export const INSUTYPES = ['310', '390'] as const;
export const PERSON_STATUSES = ['active', 'suspended', 'terminated'] as const;
export const RESIDENT_CATEGORIES = ['adult', 'minor', 'student', 'senior', 'exempt'] as const;
export const RELATIONSHIPS = [
  'spouse', 'parent', 'child', 'sibling', 'grandparent', 'maternal_grandparent', 'grandchild',
  'maternal_grandchild', 'other',
] as const;

/** Insured persons. `id` is a surrogate used by every other table: integer joins and ascending keys. */
export const persons = mysqlTable(
  'persons',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    psnNo: asciiKey('psn_no', 30).notNull(),
    /** Personal data: never logged or printed unmasked. */
    idNumber: char('id_number', { length: 18 }).notNull(),
    /** Personal data: never logged or printed. */
    name: varchar('name', { length: 100 }).notNull(),
    /** '310' employee (has a personal account), '390' resident (pays an annual premium). */
    insutype: mysqlEnum('insutype', INSUTYPES).notNull(),
    /** 6-digit division of the insurance place; its first two digits are the province. */
    admdvs: char('admdvs', { length: 6 }).notNull(),
    status: mysqlEnum('status', PERSON_STATUSES).notNull(),
    /** Premium category of residents; null for employees ('310'). */
    residentCategory: mysqlEnum('resident_category', RESIDENT_CATEGORIES),
    /** Subsidy tier of residents (dibao, tekun, ...) that a campaign's premium schedule may price; null when none. */
    subsidyTier: asciiKey('subsidy_tier', 32),
    updatedAt: timestamp('updated_at').notNull().defaultNow().onUpdateNow(),
  },
  (t) => [uniqueIndex('persons_psn_no_uq').on(t.psnNo)],
);

/** Employee personal accounts (个人账户). The balance only changes in the transaction that writes its ledger entry. */
export const accounts = mysqlTable(
  'accounts',
  {
    personId: int('person_id', { unsigned: true }).primaryKey(),
    /** Current balance in fen; the CHECK makes a negative balance impossible even for a buggy statement. */
    balance: fen('balance').notNull(),
    /** Balance of the first import: the starting point of the ledger invariant. */
    openingBalance: fen('opening_balance').notNull(),
    /** Balance in the last imported accounts file; a re-import adjusts by the difference to it. */
    importedBalance: fen('imported_balance').notNull(),
    /** Number of adjustments written so far; part of the adjustment's idempotency key. */
    adjustments: int('adjustments', { unsigned: true }).notNull().default(0),
  },
  (t) => [check('accounts_balance_nonnegative', sql`${t.balance} >= 0`)],
);

/** Family mutual-aid bindings (共济绑定): the payer's account may pay for the beneficiary. */
export const bindings = mysqlTable(
  'bindings',
  {
    beneficiaryId: int('beneficiary_id', { unsigned: true }).notNull(),
    payerId: int('payer_id', { unsigned: true }).notNull(),
    relationship: mysqlEnum('relationship', RELATIONSHIPS).notNull(),
    /** Deduction order: 1 pays first. */
    priority: smallint('priority', { unsigned: true }).notNull(),
    boundAt: shanghaiTime('bound_at').notNull(),
    /** Empty while the binding is in force. */
    revokedAt: shanghaiTime('revoked_at'),
    /** Whether the payer authorised premium payments for this relative (SPEC 9); medical bills are shared either way. */
    premiumConsent: boolean('premium_consent').notNull().default(true),
  },
  (t) => [
    // The primary key serves "payers of these beneficiaries", the lookup of every payment.
    primaryKey({ name: 'bindings_pk', columns: [t.beneficiaryId, t.payerId] }),
    // Serves finding the family cluster of a payer.
    index('bindings_payer_idx').on(t.payerId),
  ],
);
