import { inTransaction } from '../db/transaction.ts';
import { INSUTYPES, PERSON_STATUSES, RESIDENT_CATEGORIES } from '../db/schema/people.ts';
import type { Insutype, PersonStatus, ResidentCategory } from '../domain/eligibility.ts';
import { admdvs, alnumKey, idNumber, name, oneOf, optionalSubsidyTier } from './fields.ts';
import type { ImportDefinition } from './import-runner.ts';
import { upsertChanged, type UpsertTable } from './upsert.repository.ts';

const COLUMNS = ['psn_no', 'id_number', 'name', 'insutype', 'admdvs', 'status', 'resident_category'] as const;
const OPTIONAL_COLUMNS = ['subsidy_tier'] as const;

export interface PersonRow {
  psnNo: string;
  /** Personal data: never logged or echoed in a row error. */
  idNumber: string;
  /** Personal data: never logged or echoed in a row error. */
  name: string;
  insutype: Insutype;
  admdvs: string;
  status: PersonStatus;
  /** Null for employees: the category only prices residents' premiums. */
  residentCategory: ResidentCategory | null;
  /** Null when the column is missing or empty. */
  subsidyTier: string | null;
}

const PERSONS: UpsertTable = {
  table: 'persons',
  key: ['psn_no'],
  values: ['id_number', 'name', 'insutype', 'admdvs', 'status', 'resident_category', 'subsidy_tier'],
};

export const personsImport: ImportDefinition<(typeof COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number], PersonRow> = {
  kind: 'persons',
  description: 'insured persons, upserted by psn_no',
  columns: COLUMNS,
  optionalColumns: OPTIONAL_COLUMNS,
  parseRow(field) {
    const insutype = oneOf('insutype', field('insutype'), INSUTYPES);
    const category = field('resident_category');
    return {
      psnNo: alnumKey('psn_no', field('psn_no')),
      idNumber: idNumber('id_number', field('id_number')),
      name: name('name', field('name'), 100),
      insutype,
      admdvs: admdvs('admdvs', field('admdvs')),
      status: oneOf('status', field('status'), PERSON_STATUSES),
      // SPEC 8: ignored for 310 rows, whatever it holds; residents default to adult.
      residentCategory: insutype === '310' ? null : category === '' ? 'adult' : oneOf('resident_category', category, RESIDENT_CATEGORIES),
      subsidyTier: optionalSubsidyTier('subsidy_tier', field('subsidy_tier')),
    };
  },
  writeBatch: (db, rows) =>
    inTransaction(db.pool, (conn) =>
      upsertChanged(
        conn,
        PERSONS,
        rows.map(({ value: p }) => ({
          psn_no: p.psnNo, id_number: p.idNumber, name: p.name, insutype: p.insutype, admdvs: p.admdvs, status: p.status,
          resident_category: p.residentCategory, subsidy_tier: p.subsidyTier,
        })),
      ),
    ),
};
