import { inTransaction } from '../db/transaction.ts';
import { admdvs, alnumKey, booleanText, name, oneOf } from './fields.ts';
import type { ImportDefinition } from './import-runner.ts';
import { upsertChanged, type UpsertTable } from './upsert.repository.ts';

const COLUMNS = ['fixmedins_code', 'name', 'type', 'admdvs', 'designated'] as const;

export interface InstitutionRow {
  fixmedinsCode: string;
  name: string;
  type: 'pharmacy' | 'hospital';
  admdvs: string;
  designated: boolean;
}

const INSTITUTIONS: UpsertTable = {
  table: 'institutions',
  key: ['fixmedins_code'],
  values: ['name', 'type', 'admdvs', 'designated'],
};

export const institutionsImport: ImportDefinition<(typeof COLUMNS)[number], InstitutionRow> = {
  kind: 'institutions',
  description: 'pharmacies and hospitals, upserted by fixmedins_code',
  columns: COLUMNS,
  parseRow: (field) => ({
    fixmedinsCode: alnumKey('fixmedins_code', field('fixmedins_code')),
    name: name('name', field('name'), 200),
    type: oneOf('type', field('type'), ['pharmacy', 'hospital'] as const),
    admdvs: admdvs('admdvs', field('admdvs')),
    designated: booleanText('designated', field('designated')),
  }),
  writeBatch: (db, rows) =>
    inTransaction(db.pool, (conn) =>
      upsertChanged(
        conn,
        INSTITUTIONS,
        // BOOLEAN is TINYINT(1): stored and read back as 1/0.
        rows.map(({ value: i }) => ({ fixmedins_code: i.fixmedinsCode, name: i.name, type: i.type, admdvs: i.admdvs, designated: i.designated ? 1 : 0 })),
      ),
    ),
};
