import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idNumberFor } from '../support/factories.ts';
import { useTestDb } from '../support/db.ts';
import { personRow, query, tableCounts, writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('import_cli');
const env = { DATABASE_URL: db.url };

describe('premium-worker import (CLI)', () => {
  it('exits 0 and prints the summary when every row is imported', async () => {
    const file = writeImportFile('persons.csv', [personRow('CLI1'), personRow('CLI2', { insutype: '390' })]);
    const result = await runCli(['import', 'persons', file], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${path.basename(file)}: persons: 2 rows read, 2 imported, 0 unchanged, 0 rejected\n`);
  });

  it('exits 2, prints one FILE:ROW column: reason line per rejected row and imports the good rows', async () => {
    const badId = idNumberFor(7).slice(0, 17) + (idNumberFor(7).endsWith('0') ? '1' : '0');
    const file = writeImportFile('persons.csv', [personRow('CLI3'), personRow('CLI4', { id_number: badId }), personRow('CLI5', { status: 'gone' })]);
    const result = await runCli(['import', 'persons', file], env);
    const name = path.basename(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${name}:2 id_number: check digit does not match\n${name}:3 status: "gone" is not one of active, suspended, terminated\n`);
    expect(result.stdout).toBe(`${name}: persons: 3 rows read, 1 imported, 0 unchanged, 2 rejected\n`);
    expect(result.stderr + result.stdout).not.toContain(badId.slice(0, 17));
    expect(await query(db.pool, "SELECT psn_no FROM persons WHERE psn_no IN ('CLI3', 'CLI4', 'CLI5')")).toEqual([{ psn_no: 'CLI3' }]);
  });

  it('prints one JSON object with --json', async () => {
    const file = writeImportFile('institutions.csv', [
      { fixmedins_code: 'J1', name: '药房', type: 'pharmacy', admdvs: '510104', designated: 'yes' },
      { fixmedins_code: 'J2', name: '医院', type: 'hospital', admdvs: '510104', designated: 'true' },
    ]);
    const result = await runCli(['import', 'institutions', file, '--json'], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      file: path.basename(file), kind: 'institutions', read: 2, imported: 1, unchanged: 0, rejected: 1,
      errors: [{ row: 1, column: 'designated', reason: '"yes" is not one of true, false' }],
    });
  });

  it('exits 1 with a one-line reason for a whole-file error, importing nothing', async () => {
    const before = await tableCounts(db.pool);
    const noColumn = writeImportFile('persons.csv', [{ psn_no: 'CLI9', name: '张三' }]);
    const missing = await runCli(['import', 'persons', noColumn], env);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`error: ${path.basename(noColumn)}: missing required column id_number, insutype, admdvs, status, resident_category\n`);

    const absent = await runCli(['import', 'accounts', path.join(path.dirname(noColumn), 'absent.csv')], env);
    expect(absent).toMatchObject({ code: 1, stderr: 'error: absent.csv: file not found\n' });

    // 0xFF can start neither a UTF-8 nor a GB18030 sequence.
    const undecodable = writeImportFile('credits.csv', Buffer.from([0x61, 0x0a, 0xff, 0xff, 0xff, 0x0a]));
    const garbled = await runCli(['import', 'credits', undecodable], env);
    expect(garbled).toMatchObject({ code: 1, stderr: `error: ${path.basename(undecodable)}: cannot be decoded as UTF-8 or GB18030\n` });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('exits 1 for an unknown file kind and 0 for --help', async () => {
    expect((await runCli(['import', 'people', 'x.csv'], env)).code).toBe(1);
    const help = await runCli(['import', 'settlements', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('columns: setl_id, mdtrt_id, psn_no, fixmedins_code, setl_time, medfee_sumamt');
  });
});
