import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.ts';
import { bindingRow, importFile, institutionRow, personRow, query, seed, tableCounts, writeImportFile } from '../support/import-files.ts';

const db = await useTestDb('import_institutions_bindings');

await seed(db, 'persons', [
  personRow('PAYER1'), personRow('PAYER2'), personRow('KID1', { insutype: '390' }), personRow('KID2', { insutype: '390', admdvs: '110101' }),
]);

const storedBindings = () =>
  query(
    db.pool,
    `SELECT pp.psn_no AS payer, bp.psn_no AS beneficiary, b.relationship, b.priority, b.bound_at, b.revoked_at
       FROM bindings b JOIN persons pp ON pp.id = b.payer_id JOIN persons bp ON bp.id = b.beneficiary_id
      ORDER BY payer, beneficiary`,
  );

describe('import institutions', () => {
  it('imports good rows and reports bad ones by row and column', async () => {
    const summary = await importFile(
      db,
      'institutions',
      writeImportFile('institutions.csv', [
        institutionRow('H001', { type: 'hospital' }),
        institutionRow('P-02'),
        institutionRow('P003', { type: 'clinic' }),
        institutionRow('P004', { designated: 'TRUE' }),
        institutionRow('P005', { admdvs: '5101040' }),
        institutionRow('P006', { designated: 'false' }),
      ]),
    );
    expect(summary).toMatchObject({ read: 6, imported: 2, rejected: 4 });
    expect(summary.errors.map((e) => [e.row, e.column])).toEqual([[2, 'fixmedins_code'], [3, 'type'], [4, 'designated'], [5, 'admdvs']]);
    expect(await query(db.pool, 'SELECT fixmedins_code, type, designated FROM institutions ORDER BY fixmedins_code')).toEqual([
      { fixmedins_code: 'H001', type: 'hospital', designated: 1 },
      { fixmedins_code: 'P006', type: 'pharmacy', designated: 0 },
    ]);
  });

  it('upserts by fixmedins_code: a re-import changes nothing, a changed designation is applied', async () => {
    const rows = [institutionRow('U1'), institutionRow('U2')];
    expect(await importFile(db, 'institutions', writeImportFile('institutions.csv', rows))).toMatchObject({ imported: 2 });
    expect(await importFile(db, 'institutions', writeImportFile('institutions.csv', rows))).toMatchObject({ imported: 0, unchanged: 2 });
    const changed = [rows[0]!, { ...rows[1]!, designated: 'false' }];
    expect(await importFile(db, 'institutions', writeImportFile('institutions.csv', changed))).toMatchObject({ imported: 1, unchanged: 1 });
    expect(await query(db.pool, "SELECT COUNT(*) AS n, SUM(designated) AS d FROM institutions WHERE fixmedins_code IN ('U1', 'U2')")).toEqual([{ n: 2, d: 1 }]);
  });
});

describe('import bindings', () => {
  it('stores bindings of known persons, including other relatives and cross-province ones', async () => {
    const summary = await importFile(
      db,
      'bindings',
      writeImportFile('bindings.csv', [
        bindingRow('PAYER1', 'KID1', { priority: 2, bound_at: '2024-03-01', revoked_at: '2026-01-01 08:00:00' }),
        bindingRow('PAYER2', 'KID1', { relationship: 'other' }),
        bindingRow('PAYER1', 'KID2', { relationship: 'grandparent' }),
      ]),
    );
    expect(summary).toMatchObject({ read: 3, imported: 3, rejected: 0 });
    expect(await storedBindings()).toEqual([
      { payer: 'PAYER1', beneficiary: 'KID1', relationship: 'parent', priority: 2, bound_at: '2024-03-01 00:00:00', revoked_at: '2026-01-01 08:00:00' },
      { payer: 'PAYER1', beneficiary: 'KID2', relationship: 'grandparent', priority: 1, bound_at: '2020-01-01 00:00:00', revoked_at: null },
      { payer: 'PAYER2', beneficiary: 'KID1', relationship: 'other', priority: 1, bound_at: '2020-01-01 00:00:00', revoked_at: null },
    ]);
  });

  it('rejects unknown relationships, bad priorities and times, unknown persons and self-bindings', async () => {
    const before = await tableCounts(db.pool);
    const summary = await importFile(
      db,
      'bindings',
      writeImportFile('bindings.csv', [
        bindingRow('PAYER2', 'KID2', { relationship: 'cousin' }),
        bindingRow('PAYER2', 'KID2', { relationship: 'Spouse' }),
        bindingRow('PAYER2', 'KID2', { priority: 0 }),
        bindingRow('PAYER2', 'KID2', { priority: '1.5' }),
        bindingRow('PAYER2', 'KID2', { bound_at: '2024-02-30' }),
        bindingRow('PAYER2', 'KID2', { revoked_at: '2024/01/01' }),
        bindingRow('NOBODY', 'KID2'),
        bindingRow('PAYER2', 'NOBODY'),
        bindingRow('PAYER2', 'PAYER2'),
      ]),
    );
    expect(summary).toMatchObject({ read: 9, imported: 0, rejected: 9 });
    expect(summary.errors).toEqual([
      { row: 1, column: 'relationship', reason: expect.stringContaining('"cousin" is not one of spouse, parent') },
      { row: 2, column: 'relationship', reason: expect.stringContaining('"Spouse" is not one of') },
      { row: 3, column: 'priority', reason: '0 is not from 1 to 65535' },
      { row: 4, column: 'priority', reason: '"1.5" is not a whole number' },
      { row: 5, column: 'bound_at', reason: expect.stringContaining('"2024-02-30" is not a time') },
      { row: 6, column: 'revoked_at', reason: expect.stringContaining('"2024/01/01" is not a time') },
      { row: 7, column: 'payer_psn_no', reason: 'unknown person' },
      { row: 8, column: 'beneficiary_psn_no', reason: 'unknown person' },
      { row: 9, column: 'beneficiary_psn_no', reason: 'a person cannot be bound to themself' },
    ]);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('upserts by (payer, beneficiary): re-import creates no duplicate, a revocation updates the binding', async () => {
    const rows = [bindingRow('PAYER2', 'KID2', { priority: 3 })];
    expect(await importFile(db, 'bindings', writeImportFile('bindings.csv', rows))).toMatchObject({ imported: 1 });
    expect(await importFile(db, 'bindings', writeImportFile('bindings.csv', rows))).toMatchObject({ imported: 0, unchanged: 1 });
    const revoked = [{ ...rows[0]!, revoked_at: '2026-06-30 12:00:00' }];
    expect(await importFile(db, 'bindings', writeImportFile('bindings.csv', revoked))).toMatchObject({ imported: 1, unchanged: 0 });
    const stored = (await storedBindings()).filter((b) => b.payer === 'PAYER2' && b.beneficiary === 'KID2');
    expect(stored).toEqual([expect.objectContaining({ priority: 3, revoked_at: '2026-06-30 12:00:00' })]);
  });
});
