import { inTransaction } from '../db/transaction.ts';
import { isDuplicateKey } from '../db/transient.ts';
import { formatYuan } from '../domain/money.ts';
import { alnumKey, amount, textKey, time } from './fields.ts';
import { RowError } from './row.error.ts';
import type { ImportDefinition, RowOutcome } from './import-runner.ts';
import { lockAccounts } from '../ledger/accounts.ts';
import { postEntries } from '../ledger/entries.ts';
import { creditKey } from '../ledger/keys.ts';
import { findCredits, insertCredits, type NewCredit, type StoredCredit } from './credits.repository.ts';
import { findPersons } from './lookups.repository.ts';

const COLUMNS = ['credit_id', 'psn_no', 'amount', 'credited_at'] as const;

export type CreditRow = StoredCredit;

const sameCredit = (a: CreditRow, b: CreditRow) => a.psnNo === b.psnNo && a.amount === b.amount && a.creditedAt === b.creditedAt;

export const creditsImport: ImportDefinition<(typeof COLUMNS)[number], CreditRow> = {
  kind: 'credits',
  description: 'monthly credits into personal accounts, applied once by credit_id',
  columns: COLUMNS,
  parseRow(field) {
    const credited = amount('amount', field('amount'));
    if (credited <= 0) throw new RowError('amount', `${formatYuan(credited)} is not positive`);
    return {
      creditId: textKey('credit_id', field('credit_id')),
      psnNo: alnumKey('psn_no', field('psn_no')),
      amount: credited,
      creditedAt: time('credited_at', field('credited_at')),
    };
  },
  writeBatch: (db, rows) =>
    inTransaction(db.pool, async (conn) => {
      const values = rows.map(({ value }) => value);
      // Credits applied before, in earlier batches or imports; this batch's own are added as they are accepted.
      const applied = await findCredits(conn, values.map((c) => c.creditId));
      const persons = await findPersons(conn, values.map((c) => c.psnNo));
      const accounts = await lockAccounts(conn, [...persons.values()].map((p) => p.id));
      const accepted: NewCredit[] = [];

      const outcomes = values.map((credit): RowOutcome => {
        const earlier = applied.get(credit.creditId);
        if (earlier) return sameCredit(earlier, credit) ? 'unchanged' : new RowError('credit_id', 'already applied with different values');
        const person = persons.get(credit.psnNo);
        if (!person) return new RowError('psn_no', 'unknown person');
        if (!accounts.has(person.id)) return new RowError('psn_no', 'no personal account');
        applied.set(credit.creditId, credit);
        accepted.push({ creditId: credit.creditId, personId: person.id, amount: credit.amount, creditedAt: credit.creditedAt });
        return 'imported';
      });

      const ids = await insertCredits(conn, accepted);
      await postEntries(
        conn,
        accepted.map((c) => {
          const id = ids.get(c.creditId)!;
          return { idemKey: creditKey(id), accountId: c.personId, kind: 'credit', amount: c.amount, creditId: id };
        }),
      );
      return outcomes;
    }, { retryAlso: isDuplicateKey }), // a concurrent import of the same credits: read them again as applied
};
