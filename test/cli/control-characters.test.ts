import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { personRow, writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';
import { deliver, HEADER, newFolders } from '../support/recon.ts';

const db = await useTestDb('cli_control_chars');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('untrusted text is printed with its control characters escaped', () => {
  it('inbox file names holding ESC sequences, newlines and C1 controls are shown escaped, one line each', async () => {
    const folders = newFolders();
    deliver(folders, 'evil\u001b[2J\u009b31m.csv', [HEADER]);
    deliver(folders, 'x\nH001_20261120.csv: reconciled, 99 rows', [HEADER]);
    const run = await runCli(['recon', 'run', '--date', '2026-11-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stdout).toContain('evil\\x1b[2J\\x9b31m.csv: rejected (file name does not match');
    expect(run.stdout).toContain('x\\nH001_20261120.csv: reconciled, 99 rows: rejected (file name does not match');
    expect(run.stdout.split('\n').filter((line) => line.startsWith('H001_20261120.csv'))).toEqual([]);

    const json = await runCli(['recon', 'run', '--date', '2026-11-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait', '--json'], env);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
  });

  it('a cell and a file name with control characters are escaped in row errors and error lines', async () => {
    const file = writeImportFile('persons.csv', [personRow('CC1', { status: '\u001b[31mgone\u0007' })]);
    const run = await runCli(['import', 'persons', file], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${path.basename(file)}:1 status: "\\u001b[31mgone\\u0007" is not one of active, suspended, terminated\n`);

    const evil = writeImportFile('bad\u001b]0;owned\u0007.csv', 'psn_no,psn_no\n');
    const refused = await runCli(['import', 'persons', evil], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(RAW_CONTROL);
    expect(refused.stderr).toContain('bad\\x1b]0;owned\\x07.csv: duplicate column psn_no in the header');
  });
});
