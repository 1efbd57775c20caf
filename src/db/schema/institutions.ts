import { boolean, char, int, mysqlEnum, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { asciiKey } from './columns.ts';

/** Designated pharmacies and hospitals (定点医药机构). */
export const institutions = mysqlTable(
  'institutions',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    fixmedinsCode: asciiKey('fixmedins_code', 30).notNull(),
    name: varchar('name', { length: 200 }).notNull(),
    type: mysqlEnum('type', ['pharmacy', 'hospital']).notNull(),
    admdvs: char('admdvs', { length: 6 }).notNull(),
    /** Only designated institutions may take personal-account money. */
    designated: boolean('designated').notNull(),
  },
  (t) => [uniqueIndex('institutions_code_uq').on(t.fixmedinsCode)],
);
