import { describe, expect, it } from 'vitest';
import { CsvFileError } from '../../src/csv/read-csv.ts';
import { IMPORTS } from '../../src/imports/catalog.ts';
import { IMPORT_KINDS } from '../../src/imports/import-runner.ts';
import { useTestDb } from '../support/db.ts';
import { importFile, tableCounts, writeImportFile } from '../support/import-files.ts';

const db = await useTestDb('import_whole_file');

describe.each(IMPORT_KINDS)('import %s', (kind) => {
  const columns = IMPORTS[kind].columns;

  it('rejects a file missing any required column as a whole and writes nothing', async () => {
    const before = await tableCounts(db.pool);
    for (const missing of columns) {
      const header = columns.filter((c) => c !== missing);
      const file = writeImportFile(`${kind}.csv`, `${header.join(',')}\n${header.map(() => '1').join(',')}\n`);
      const failure = await importFile(db, kind, file).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CsvFileError);
      expect((failure as Error).message).toMatch(new RegExp(`missing required column ${missing}$`));
    }
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('reads a header-only file as zero rows', async () => {
    expect(await importFile(db, kind, writeImportFile(`${kind}.csv`, `${columns.join(',')}\r\n`))).toMatchObject({ read: 0, imported: 0, rejected: 0 });
  });

  it('rejects rows with too few or too many fields', async () => {
    const row = columns.map(() => 'x');
    const file = writeImportFile(`${kind}.csv`, `${columns.join(',')}\n${row.slice(1).join(',')}\n${[...row, 'extra'].join(',')}\n`);
    const summary = await importFile(db, kind, file);
    expect(summary.errors).toEqual([
      { row: 1, column: null, reason: `wrong column count: ${columns.length - 1} fields, header has ${columns.length}` },
      { row: 2, column: null, reason: `wrong column count: ${columns.length + 1} fields, header has ${columns.length}` },
    ]);
  });
});
