import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';
import { addInstitution, deliver, HEADER, listDir, newFolders, row } from '../support/recon.ts';

const db = await useTestDb('cli_mistakes');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

beforeAll(async () => {
  await addInstitution(db.pool, 'H001');
});

describe('mistakes are refused, not accepted silently', () => {
  it('failures list refuses an unknown code, a negative limit and a campaign that does not exist', async () => {
    const code = await runCli(['failures', 'list', '--code', 'BOGUS'], env);
    expect(code.code).toBe(1);
    expect(code.stderr).toContain("error: option '--code <code>' argument 'BOGUS' is invalid. Allowed choices are INSUFFICIENT_BALANCE, WRONG_PAYEE, BENEFICIARY_INELIGIBLE.");
    const limit = await runCli(['failures', 'list', '--limit', '-5'], env);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain("error: option '--limit <n>' argument '-5' is invalid");
    const campaign = await runCli(['failures', 'list', '--campaign', '99'], env);
    expect(campaign).toMatchObject({ code: 1, stdout: '', stderr: 'error: campaign 99 does not exist\n' });
    const status = await runCli(['campaign', 'status', '99'], env);
    expect(status.stderr).toBe(campaign.stderr);
  });

  it('an invalid environment variable is one line naming it, no stack trace', async () => {
    const run = await runCli(['status'], { ...env, WORKER_CONCURRENCY: 'many' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: invalid environment variable WORKER_CONCURRENCY: [^\n]+\n$/);
  });

  it('an unknown database suggests db migrate', async () => {
    const run = await runCli(['failures', 'list'], { ...env, DATABASE_URL: `${db.url}_never_created` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Unknown database '\w+_never_created': run premium-worker db migrate to create or update the schema\n$/);
  });

  it('recon run refuses an inbox that does not exist', async () => {
    const folders = newFolders();
    const missing = path.join(folders.inbox, 'typo');
    const run = await runCli(['recon', 'run', '--date', '2026-11-20', '--inbox', missing, '--outbox', folders.outbox, '--wait'], env);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: `error: inbox ${missing} does not exist\n` });
  });

  it('recon run says so when no file of the day was found, and names links and folders it skipped', async () => {
    const folders = newFolders();
    deliver(folders, 'H001_20261119.csv', [HEADER]);
    mkdirSync(path.join(folders.inbox, 'H001_20261120.csv.d'));
    symlinkSync('/etc/hostname', path.join(folders.inbox, 'H001_20261120.csv'));
    const run = await runCli(['recon', 'run', '--date', '2026-11-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('H001_20261120.csv: ignored (a symbolic link: not followed)\n');
    expect(run.stdout).toContain('H001_20261120.csv.d: ignored (a folder: not read)\n');
    expect(run.stdout).toContain(`warning: no file of 2026-11-20 was found in ${folders.inbox}: every institution with settlements that day is MISSING_IN_FILE\n`);
    expect(listDir(folders.inbox)).toEqual(['H001_20261119.csv', 'H001_20261120.csv', 'H001_20261120.csv.d']);
  });

  it('a header naming a column twice rejects the file: imports and reconciliation files', async () => {
    const file = writeImportFile('persons.csv', 'psn_no,id_number,name,insutype,admdvs,status,psn_no\nD1,110101199003070012,N,310,510104,active,D2\n');
    const imported = await runCli(['import', 'persons', file], env);
    expect(imported).toMatchObject({ code: 1, stdout: '', stderr: `error: ${path.basename(file)}: duplicate column psn_no in the header\n` });

    const folders = newFolders();
    deliver(folders, 'H001_20261121.csv', [`${HEADER},结算ID`, `${row({ setlId: 'DC1', setlTime: '2026-11-21 08:00:00' })},DC2`]);
    const run = await runCli(['recon', 'run', '--date', '2026-11-21', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('H001_20261121.csv: rejected (duplicate column setl_id in the header (setl_id, 结算ID))\n');
  });
});
