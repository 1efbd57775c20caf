import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.ts';
import { balanceByPsnNo, importFile, ledgerMismatches, personRow, query, seed, tableCounts, writeImportFile } from '../support/import-files.ts';

const db = await useTestDb('import_accounts_credits');

await seed(db, 'persons', [personRow('E1'), personRow('E2'), personRow('E3'), personRow('E4'), personRow('E5'), personRow('R1', { insutype: '390' })]);

const ledgerOf = (psnNo: string) =>
  query(db.pool, 'SELECT l.idem_key, l.kind, l.amount FROM ledger_entries l JOIN persons p ON p.id = l.account_id WHERE p.psn_no = ? ORDER BY l.id', [psnNo]);
const accountOf = async (psnNo: string) =>
  (await query(db.pool, 'SELECT a.person_id, a.balance, a.opening_balance, a.imported_balance, a.adjustments FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.psn_no = ?', [psnNo]))[0];
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const amountReason = (text: string) => `"${text}" is not an amount in yuan with at most 2 decimals`;

describe('import accounts', () => {
  it('creates accounts with balance = opening = imported balance and rejects bad amounts and unknown persons', async () => {
    const summary = await importFile(
      db,
      'accounts',
      writeImportFile('accounts.csv', [
        { psn_no: 'E1', balance: '1000.5' },
        { psn_no: 'E2', balance: '1.234' },
        { psn_no: 'E2', balance: 'abc' },
        { psn_no: 'E2', balance: '1e3' },
        { psn_no: 'E2', balance: '' },
        { psn_no: 'E2', balance: '-1.00' },
        { psn_no: 'NOBODY', balance: '1' },
        { psn_no: 'E2', balance: '0.07' },
        { psn_no: 'R1', balance: '20' },
      ]),
    );
    expect(summary).toMatchObject({ read: 9, imported: 3, unchanged: 0, rejected: 6 });
    expect(summary.errors).toEqual([
      { row: 2, column: 'balance', reason: amountReason('1.234') },
      { row: 3, column: 'balance', reason: amountReason('abc') },
      { row: 4, column: 'balance', reason: amountReason('1e3') },
      { row: 5, column: 'balance', reason: 'is empty' },
      { row: 6, column: 'balance', reason: '-1.00 is negative' },
      { row: 7, column: 'psn_no', reason: 'unknown person' },
    ]);
    expect(await accountOf('E1')).toMatchObject({ balance: 100_050, opening_balance: 100_050, imported_balance: 100_050, adjustments: 0 });
    expect(await balanceByPsnNo(db.pool, 'E2')).toBe(7);
    expect(await ledgerOf('E1')).toEqual([]);
  });

  it('records a changed balance once as an adjustment against the last imported value, and an unchanged re-import writes nothing', async () => {
    await seed(db, 'accounts', [{ psn_no: 'E3', balance: '500.00' }]);
    const { person_id: id } = (await accountOf('E3'))!;
    // Money moved since the import (a credit): the adjustment must not undo it.
    await seed(db, 'credits', [{ credit_id: 'CR-E3', psn_no: 'E3', amount: '100', credited_at: '2026-11-01' }]);

    const changed = writeImportFile('accounts.csv', [{ psn_no: 'E3', balance: '450.25' }]);
    expect(await importFile(db, 'accounts', changed)).toMatchObject({ imported: 1, unchanged: 0 });
    expect(await importFile(db, 'accounts', changed)).toMatchObject({ imported: 0, unchanged: 1 });
    expect(await accountOf('E3')).toMatchObject({ balance: 55_025, opening_balance: 50_000, imported_balance: 45_025, adjustments: 1 });

    expect(await importFile(db, 'accounts', writeImportFile('accounts.csv', [{ psn_no: 'E3', balance: '460' }]))).toMatchObject({ imported: 1 });
    expect(await ledgerOf('E3')).toEqual([
      expect.objectContaining({ kind: 'credit', amount: 10_000 }),
      { idem_key: `A${pad(id, 10)}-000001`, kind: 'adjustment', amount: -4_975 },
      { idem_key: `A${pad(id, 10)}-000002`, kind: 'adjustment', amount: 975 },
    ]);
    expect(await balanceByPsnNo(db.pool, 'E3')).toBe(56_000);
    expect(await ledgerMismatches(db.pool)).toEqual([]);
  });

  it('rejects an adjustment that would make the balance negative and changes nothing', async () => {
    await seed(db, 'accounts', [{ psn_no: 'E4', balance: '100' }]);
    // As if 70 yuan had been spent since the import (opening balance moved too, keeping the ledger invariant of this test db).
    await db.pool.query("UPDATE accounts a JOIN persons p ON p.id = a.person_id SET a.balance = 3000, a.opening_balance = 3000 WHERE p.psn_no = 'E4'");
    const summary = await importFile(db, 'accounts', writeImportFile('accounts.csv', [{ psn_no: 'E4', balance: '50' }]));
    expect(summary.errors).toEqual([{ row: 1, column: 'balance', reason: 'adjustment of -50.00 would make the balance negative (balance 30.00)' }]);
    expect(await accountOf('E4')).toMatchObject({ balance: 3_000, imported_balance: 10_000, adjustments: 0 });
    expect(await ledgerOf('E4')).toEqual([]);
  });

  it('keeps the last row of a psn_no in the whole file, so re-importing it writes no cancelling adjustments', async () => {
    await seed(db, 'accounts', [{ psn_no: 'E5', balance: '10' }]);
    // The two E5 rows fall into different batches.
    const unknown = Array.from({ length: 1_200 }, (_, i) => ({ psn_no: `NOBODY${i}`, balance: '1' }));
    const file = writeImportFile('accounts.csv', [{ psn_no: 'E5', balance: '99' }, { psn_no: 'E1', balance: '1000.50' }, ...unknown, { psn_no: 'E5', balance: '20' }]);
    expect(await importFile(db, 'accounts', file)).toMatchObject({ read: 1_203, imported: 1, unchanged: 2, rejected: 1_200 });
    expect(await importFile(db, 'accounts', file)).toMatchObject({ imported: 0, unchanged: 3 });
    expect((await ledgerOf('E5')).map((e) => e.amount)).toEqual([1_000]);
    expect(await balanceByPsnNo(db.pool, 'E5')).toBe(2_000);
  });
});

describe('import credits', () => {
  it('credits the account once per credit_id with a credit ledger entry keyed by the credit row', async () => {
    await seed(db, 'accounts', [{ psn_no: 'E2', balance: '0.07' }]);
    const before = (await balanceByPsnNo(db.pool, 'E2'))!;
    const rows = [
      { credit_id: 'M202611-E2', psn_no: 'E2', amount: '312.40', credited_at: '2026-11-15 00:00:00' },
      { credit_id: 'M202612-E2', psn_no: 'E2', amount: '312.4', credited_at: '2026-12-15' },
    ];
    const file = writeImportFile('credits.csv', rows);
    expect(await importFile(db, 'credits', file)).toMatchObject({ read: 2, imported: 2, unchanged: 0, rejected: 0 });
    expect(await balanceByPsnNo(db.pool, 'E2')).toBe(before + 62_480);
    const [credit] = await query<{ id: number }>(db.pool, "SELECT id FROM credits WHERE credit_id = 'M202611-E2'");
    expect((await ledgerOf('E2'))[0]).toEqual({ idem_key: `C${pad(credit!.id, 12)}`, kind: 'credit', amount: 31_240 });

    const counts = await tableCounts(db.pool);
    expect(await importFile(db, 'credits', file)).toMatchObject({ imported: 0, unchanged: 2, rejected: 0 });
    expect(await tableCounts(db.pool)).toEqual(counts);
    expect(await balanceByPsnNo(db.pool, 'E2')).toBe(before + 62_480);
  });

  it('skips an identical credit repeated in the file and rejects a conflicting one', async () => {
    const before = (await balanceByPsnNo(db.pool, 'E1'))!;
    const credit = { credit_id: 'DUP-E1', psn_no: 'E1', amount: '10', credited_at: '2026-11-15' };
    const summary = await importFile(
      db,
      'credits',
      writeImportFile('credits.csv', [credit, { ...credit }, { ...credit, amount: '11' }, { ...credit, psn_no: 'E2' }, { ...credit, credited_at: '2026-11-16' }]),
    );
    expect(summary).toMatchObject({ read: 5, imported: 1, unchanged: 1, rejected: 3 });
    expect(summary.errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [3, 'credit_id', 'already applied with different values'],
      [4, 'credit_id', 'already applied with different values'],
      [5, 'credit_id', 'already applied with different values'],
    ]);
    expect(await balanceByPsnNo(db.pool, 'E1')).toBe(before + 1_000);
    const later = await importFile(db, 'credits', writeImportFile('credits.csv', [{ ...credit, amount: '12' }]));
    expect(later.errors).toEqual([{ row: 1, column: 'credit_id', reason: 'already applied with different values' }]);
  });

  it('rejects bad amounts, non-positive amounts, unknown persons and persons without an account', async () => {
    const row = (n: number, over: Record<string, string>) => ({ credit_id: `BAD${n}`, psn_no: 'E1', amount: '1', credited_at: '2026-11-15', ...over });
    const counts = await tableCounts(db.pool);
    const summary = await importFile(
      db,
      'credits',
      writeImportFile('credits.csv', [
        row(1, { amount: '1.234' }), row(2, { amount: 'abc' }), row(3, { amount: '1e3' }), row(4, { amount: '' }), row(5, { amount: '0' }),
        row(6, { amount: '-5' }), row(7, { psn_no: 'NOBODY' }), row(8, { psn_no: 'E4x' }), row(9, { psn_no: 'R9' }), row(10, { credited_at: '2026-13-01' }),
      ]),
    );
    expect(summary.errors).toEqual([
      { row: 1, column: 'amount', reason: amountReason('1.234') },
      { row: 2, column: 'amount', reason: amountReason('abc') },
      { row: 3, column: 'amount', reason: amountReason('1e3') },
      { row: 4, column: 'amount', reason: 'is empty' },
      { row: 5, column: 'amount', reason: '0.00 is not positive' },
      { row: 6, column: 'amount', reason: '-5.00 is not positive' },
      { row: 7, column: 'psn_no', reason: 'unknown person' },
      { row: 8, column: 'psn_no', reason: 'unknown person' },
      { row: 9, column: 'psn_no', reason: 'unknown person' },
      { row: 10, column: 'credited_at', reason: expect.stringContaining('"2026-13-01" is not a time') },
    ]);
    expect(await tableCounts(db.pool)).toEqual(counts);
  });

  it('rejects a credit for a person without a personal account', async () => {
    await seed(db, 'persons', [personRow('NOACCT')]);
    const summary = await importFile(db, 'credits', writeImportFile('credits.csv', [{ credit_id: 'NA1', psn_no: 'NOACCT', amount: '5', credited_at: '2026-11-15' }]));
    expect(summary.errors).toEqual([{ row: 1, column: 'psn_no', reason: 'no personal account' }]);
  });

  it('keeps every balance equal to opening balance plus ledger entries, through credits and adjustments both ways', async () => {
    await seed(db, 'persons', [personRow('INV')]);
    await seed(db, 'accounts', [{ psn_no: 'INV', balance: '100' }]);
    await seed(db, 'credits', [
      { credit_id: 'INV-1', psn_no: 'INV', amount: '12.34', credited_at: '2026-11-15' },
      { credit_id: 'INV-2', psn_no: 'INV', amount: '0.01', credited_at: '2026-12-15' },
    ]);
    await seed(db, 'accounts', [{ psn_no: 'INV', balance: '80' }]);
    await seed(db, 'accounts', [{ psn_no: 'INV', balance: '90.5' }]);
    expect((await ledgerOf('INV')).map((e) => e.kind)).toEqual(['credit', 'credit', 'adjustment', 'adjustment']);
    expect(await balanceByPsnNo(db.pool, 'INV')).toBe(9_050 + 1_235);
    expect(await ledgerMismatches(db.pool)).toEqual([]);
  });
});
