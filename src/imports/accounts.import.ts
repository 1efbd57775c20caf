import { inTransaction } from '../db/transaction.ts';
import { formatYuan, type Fen } from '../domain/money.ts';
import { alnumKey, amount } from './fields.ts';
import { RowError } from './row.error.ts';
import type { ImportDefinition, RowOutcome } from './import-runner.ts';
import { insertAccounts, lockAccounts, recordImportedBalances, type ImportedBalance } from '../ledger/accounts.ts';
import { postEntries, type NewLedgerEntry } from '../ledger/entries.ts';
import { adjustmentKey } from '../ledger/keys.ts';
import { findPersons } from './lookups.repository.ts';

const COLUMNS = ['psn_no', 'balance'] as const;

export interface AccountRow {
  psnNo: string;
  balance: Fen;
}

export const accountsImport: ImportDefinition<(typeof COLUMNS)[number], AccountRow> = {
  kind: 'accounts',
  description: 'personal-account balances, upserted by psn_no; a changed balance is recorded as an adjustment',
  columns: COLUMNS,
  lastWinsKey: ['psn_no'],
  parseRow(field) {
    const balance = amount('balance', field('balance'));
    if (balance < 0) throw new RowError('balance', `${formatYuan(balance)} is negative`);
    return { psnNo: alnumKey('psn_no', field('psn_no')), balance };
  },
  writeBatch: (db, rows) =>
    inTransaction(db.pool, async (conn) => {
      const persons = await findPersons(conn, rows.map(({ value }) => value.psnNo));
      const accounts = await lockAccounts(conn, [...persons.values()].map((p) => p.id));
      const created: { personId: number; balance: Fen }[] = [];
      const imported: ImportedBalance[] = [];
      const entries: NewLedgerEntry[] = [];

      const outcomes = rows.map(({ value }): RowOutcome => {
        const person = persons.get(value.psnNo);
        if (!person) return new RowError('psn_no', 'unknown person');
        const account = accounts.get(person.id);
        if (!account) {
          created.push({ personId: person.id, balance: value.balance });
          return 'imported';
        }
        // SPEC 8: the adjustment is against the value last imported, not the live balance, so an unchanged file changes nothing.
        if (value.balance === account.importedBalance) return 'unchanged';
        const delta = value.balance - account.importedBalance;
        if (account.balance + delta < 0) {
          return new RowError('balance', `adjustment of ${formatYuan(delta)} would make the balance negative (balance ${formatYuan(account.balance)})`);
        }
        imported.push({ personId: person.id, expectedImported: account.importedBalance, newImported: value.balance });
        entries.push({ idemKey: adjustmentKey(person.id, account.adjustments + 1), accountId: person.id, kind: 'adjustment', amount: delta });
        return 'imported';
      });

      await insertAccounts(conn, created);
      await postEntries(conn, entries);
      await recordImportedBalances(conn, imported);
      return outcomes;
    }),
};
