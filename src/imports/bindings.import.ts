import { inTransaction } from '../db/transaction.ts';
import { RELATIONSHIPS } from '../db/schema/people.ts';
import type { Relationship } from '../domain/eligibility.ts';
import type { ShanghaiTime } from '../domain/time.ts';
import { alnumKey, integer, oneOf, optionalTime, time } from './fields.ts';
import { RowError } from './row.error.ts';
import type { ImportDefinition, RowOutcome } from './import-runner.ts';
import { findPersons } from './lookups.repository.ts';
import { upsertChanged, type SqlValue, type UpsertTable } from './upsert.repository.ts';

const COLUMNS = ['payer_psn_no', 'beneficiary_psn_no', 'relationship', 'priority', 'bound_at', 'revoked_at'] as const;
const OPTIONAL = ['premium_consent'] as const;

export interface BindingRow {
  payerPsnNo: string;
  beneficiaryPsnNo: string;
  /** `other` is stored: such bindings exist in source data, they just never pay. */
  relationship: Relationship;
  priority: number;
  boundAt: ShanghaiTime;
  revokedAt: ShanghaiTime | null;
  /** SPEC 9: whether the payer authorised premium payments; a missing column or empty cell means yes. */
  premiumConsent: boolean;
}

const BINDINGS: UpsertTable = {
  table: 'bindings',
  key: ['beneficiary_id', 'payer_id'],
  values: ['relationship', 'priority', 'bound_at', 'revoked_at', 'premium_consent'],
};

/** priority is a SMALLINT UNSIGNED. */
const MAX_PRIORITY = 65535;

export const bindingsImport: ImportDefinition<(typeof COLUMNS)[number] | (typeof OPTIONAL)[number], BindingRow> = {
  kind: 'bindings',
  description: 'family mutual-aid bindings, upserted by (payer_psn_no, beneficiary_psn_no)',
  columns: COLUMNS,
  optionalColumns: OPTIONAL,
  parseRow(field) {
    const binding: BindingRow = {
      payerPsnNo: alnumKey('payer_psn_no', field('payer_psn_no')),
      beneficiaryPsnNo: alnumKey('beneficiary_psn_no', field('beneficiary_psn_no')),
      relationship: oneOf('relationship', field('relationship'), RELATIONSHIPS),
      priority: integer('priority', field('priority'), 1, MAX_PRIORITY),
      boundAt: time('bound_at', field('bound_at')),
      revokedAt: optionalTime('revoked_at', field('revoked_at')),
      premiumConsent: field('premium_consent') === '' || oneOf('premium_consent', field('premium_consent'), ['1', '0'] as const) === '1',
    };
    if (binding.payerPsnNo === binding.beneficiaryPsnNo) throw new RowError('beneficiary_psn_no', 'a person cannot be bound to themself');
    return binding;
  },
  // Relationship, province and status are checked when money moves (SPEC 8), not here.
  writeBatch: (db, rows) =>
    inTransaction(db.pool, async (conn) => {
      const persons = await findPersons(conn, rows.flatMap(({ value }) => [value.payerPsnNo, value.beneficiaryPsnNo]));
      const outcomes: RowOutcome[] = [];
      const known: { index: number; row: Record<string, SqlValue> }[] = [];
      rows.forEach(({ value: b }, index) => {
        const payer = persons.get(b.payerPsnNo);
        const beneficiary = persons.get(b.beneficiaryPsnNo);
        if (!payer) outcomes[index] = new RowError('payer_psn_no', 'unknown person');
        else if (!beneficiary) outcomes[index] = new RowError('beneficiary_psn_no', 'unknown person');
        else {
          known.push({
            index,
            row: { beneficiary_id: beneficiary.id, payer_id: payer.id, relationship: b.relationship, priority: b.priority, bound_at: b.boundAt, revoked_at: b.revokedAt, premium_consent: b.premiumConsent ? 1 : 0 },
          });
        }
      });
      const written = await upsertChanged(conn, BINDINGS, known.map((k) => k.row));
      known.forEach((k, i) => (outcomes[k.index] = written[i]!));
      return outcomes;
    }),
};
