import { describe, expect, it } from 'vitest';
import { idNumberFor } from '../support/factories.ts';
import { useTestDb } from '../support/db.ts';
import { csvText, importFile, personRow, query, tableCounts, writeImportFile } from '../support/import-files.ts';

const db = await useTestDb('import_persons');

const storedPerson = async (psnNo: string) =>
  (await query(db.pool, 'SELECT psn_no, id_number, name, insutype, admdvs, status, resident_category FROM persons WHERE psn_no = ?', [psnNo]))[0];

/** An ID number with a wrong check character. */
const badCheckDigit = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

describe('import persons', () => {
  it('imports good rows and reports each bad row with its row number and column', async () => {
    const file = writeImportFile('persons.csv', [
      personRow('GOOD1'),
      personRow('BADID', { id_number: badCheckDigit(idNumberFor(1)) }),
      personRow('GOOD2', { insutype: '390', resident_category: 'minor' }),
      personRow('BAD-NO'),
      personRow('BADTYPE', { insutype: '391' }),
      personRow('BADSTATUS', { status: 'Active' }),
      personRow('BADADM', { admdvs: '51010' }),
      personRow('BADCAT', { insutype: '390', resident_category: 'child' }),
      personRow('NONAME', { name: '' }),
    ]);
    const summary = await importFile(db, 'persons', file);
    expect(summary).toMatchObject({ kind: 'persons', read: 9, imported: 2, unchanged: 0, rejected: 7 });
    expect(summary.errors).toEqual([
      { row: 2, column: 'id_number', reason: 'check digit does not match' },
      { row: 4, column: 'psn_no', reason: 'must be 1-30 letters or digits' },
      { row: 5, column: 'insutype', reason: '"391" is not one of 310, 390' },
      { row: 6, column: 'status', reason: '"Active" is not one of active, suspended, terminated' },
      { row: 7, column: 'admdvs', reason: '"51010" is not a 6-digit division code' },
      { row: 8, column: 'resident_category', reason: '"child" is not one of adult, minor, student, senior, exempt' },
      { row: 9, column: 'name', reason: 'is empty' },
    ]);
    expect(await storedPerson('GOOD2')).toMatchObject({ insutype: '390', resident_category: 'minor' });
    expect(await storedPerson('BADID')).toBeUndefined();
  });

  it('reads the optional subsidy_tier column: empty or [a-z0-9_]{1,32}, anything else an invalid row; a file without it means none', async () => {
    const file = writeImportFile('persons.csv', [
      personRow('TIER1', { insutype: '390', subsidy_tier: 'dibao' }),
      personRow('TIER2', { insutype: '390', subsidy_tier: '' }),
      personRow('TIER3', { insutype: '390', subsidy_tier: 'Dibao' }),
      personRow('TIER4', { insutype: '390', subsidy_tier: 'a'.repeat(33) }),
    ]);
    const summary = await importFile(db, 'persons', file);
    expect(summary).toMatchObject({ imported: 2, rejected: 2 });
    expect(summary.errors.map((e) => [e.row, e.column])).toEqual([[3, 'subsidy_tier'], [4, 'subsidy_tier']]);
    const tierOf = async (psnNo: string) => (await query(db.pool, 'SELECT subsidy_tier FROM persons WHERE psn_no = ?', [psnNo]))[0]!.subsidy_tier;
    expect(await tierOf('TIER1')).toBe('dibao');
    expect(await tierOf('TIER2')).toBeNull();
    const without = await importFile(db, 'persons', writeImportFile('persons.csv', [personRow('TIER5', { insutype: '390' })]));
    expect(without).toMatchObject({ imported: 1, rejected: 0 });
    expect(await tierOf('TIER5')).toBeNull();
  });

  it('never echoes an ID number in a row error', async () => {
    const bad = badCheckDigit(idNumberFor(2));
    const summary = await importFile(db, 'persons', writeImportFile('persons.csv', [personRow('LEAK1', { id_number: bad }), personRow('LEAK2', { id_number: `${bad}9` })]));
    expect(summary.rejected).toBe(2);
    expect(JSON.stringify(summary)).not.toContain(bad.slice(0, 17));
  });

  it('reads a lower-case check letter x as X', async () => {
    // 11010519491231002X is the GB 11643 sample ID.
    await importFile(db, 'persons', writeImportFile('persons.csv', [personRow('LOWERX', { id_number: '11010519491231002x' })]));
    expect(await storedPerson('LOWERX')).toMatchObject({ id_number: '11010519491231002X' });
  });

  it('ignores resident_category for employees and defaults residents to adult', async () => {
    const summary = await importFile(
      db,
      'persons',
      writeImportFile('persons.csv', [personRow('EMP', { insutype: '310', resident_category: 'nonsense' }), personRow('RES', { insutype: '390' })]),
    );
    expect(summary.rejected).toBe(0);
    expect(await storedPerson('EMP')).toMatchObject({ resident_category: null });
    expect(await storedPerson('RES')).toMatchObject({ resident_category: 'adult' });
  });

  it('rejects a row with the wrong number of columns', async () => {
    const text = `${csvText([personRow('COLS1')])}COLS2,${idNumberFor(3)},李四,310,510104,active\n`;
    const summary = await importFile(db, 'persons', writeImportFile('persons.csv', text));
    expect(summary.errors).toEqual([{ row: 2, column: null, reason: 'wrong column count: 6 fields, header has 7' }]);
    expect(await storedPerson('COLS2')).toBeUndefined();
  });

  it('rejects the whole file when a required column is missing, importing nothing', async () => {
    const before = await tableCounts(db.pool);
    const file = writeImportFile('persons.csv', [personRow('NOCOL')], { columns: ['psn_no', 'id_number', 'name', 'insutype', 'status', 'resident_category'] });
    await expect(importFile(db, 'persons', file)).rejects.toThrow(/persons\.csv: missing required column admdvs/);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('reads a GB18030 file with Chinese names and stores them intact', async () => {
    const file = writeImportFile('persons.csv', [personRow('GB1', { name: '欧阳娜娜' }), personRow('GB2', { name: '张𠀀' })], { encoding: 'gb18030' });
    const summary = await importFile(db, 'persons', file);
    expect(summary).toMatchObject({ imported: 2, rejected: 0 });
    expect(await storedPerson('GB1')).toMatchObject({ name: '欧阳娜娜' });
    expect(await storedPerson('GB2')).toMatchObject({ name: '张𠀀' });
  });

  it('reads UTF-8 with a BOM and CRLF line ends, columns in any order, extra columns ignored', async () => {
    const columns = ['remark', 'status', 'psn_no', 'name', 'admdvs', 'id_number', 'resident_category', 'insutype'];
    const file = writeImportFile('persons.csv', [personRow('BOM1', { remark: 'x' }), personRow('BOM2')], { columns, bom: true, crlf: true });
    expect(await importFile(db, 'persons', file)).toMatchObject({ imported: 2, rejected: 0 });
    expect(await storedPerson('BOM1')).toMatchObject({ status: 'active', admdvs: '510104' });
  });

  it('reads quoted fields holding commas, quotes and line breaks', async () => {
    const file = writeImportFile('persons.csv', [personRow('Q1', { name: '王, "小"\r\n明' }), personRow('Q2')], { crlf: true });
    const summary = await importFile(db, 'persons', file);
    expect(summary).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    expect(await storedPerson('Q1')).toMatchObject({ name: '王, "小"\r\n明' });
  });

  it('upserts by psn_no on re-import: no duplicates, changes applied, unchanged rows not written', async () => {
    const rows = [personRow('RE1'), personRow('RE2', { insutype: '390' })];
    expect(await importFile(db, 'persons', writeImportFile('persons.csv', rows))).toMatchObject({ imported: 2, unchanged: 0 });
    expect(await importFile(db, 'persons', writeImportFile('persons.csv', rows))).toMatchObject({ imported: 0, unchanged: 2 });
    const changed = [rows[0]!, { ...rows[1]!, status: 'terminated' }];
    expect(await importFile(db, 'persons', writeImportFile('persons.csv', changed))).toMatchObject({ imported: 1, unchanged: 1 });
    expect(await query(db.pool, "SELECT psn_no, status FROM persons WHERE psn_no IN ('RE1', 'RE2') ORDER BY psn_no")).toEqual([
      { psn_no: 'RE1', status: 'active' },
      { psn_no: 'RE2', status: 'terminated' },
    ]);
  });

  it('keeps the last row when a psn_no occurs twice in one file', async () => {
    const file = writeImportFile('persons.csv', [personRow('DUP', { status: 'suspended' }), personRow('OTHER'), personRow('DUP', { status: 'terminated' })]);
    expect(await importFile(db, 'persons', file)).toMatchObject({ read: 3, imported: 2, unchanged: 1 });
    expect(await storedPerson('DUP')).toMatchObject({ status: 'terminated' });
    expect(await importFile(db, 'persons', file)).toMatchObject({ imported: 0, unchanged: 3 });
  });

  it('treats psn_no as case-sensitive', async () => {
    await importFile(db, 'persons', writeImportFile('persons.csv', [personRow('case1'), personRow('CASE1')]));
    expect(await query(db.pool, "SELECT psn_no FROM persons WHERE psn_no IN ('case1', 'CASE1') ORDER BY psn_no")).toHaveLength(2);
  });

  it('imports files larger than one batch', async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => personRow(`BULK${i}`));
    expect(await importFile(db, 'persons', writeImportFile('persons.csv', rows))).toMatchObject({ read: 2_500, imported: 2_500 });
    expect(await query(db.pool, "SELECT COUNT(*) AS n FROM persons WHERE psn_no LIKE 'BULK%'")).toEqual([{ n: 2_500 }]);
  });
});
