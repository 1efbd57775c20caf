import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { personRow, settlementRow, writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';
import { addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, readCsv, row } from '../support/recon.ts';

const db = await useTestDb('recon_cli');
// The app only lends its queue prefix (and removes its keys afterwards): the CLI runs in child processes.
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

beforeAll(async () => {
  await addInstitution(db.pool, 'H001');
  await addInstitution(db.pool, 'H002');
});

describe('premium-worker recon (CLI)', () => {
  it('recon run --wait reconciles the inbox, exits 0, prints the counts and writes both outbox files; recon export writes the same report', async () => {
    await addSettlements(db.pool, [
      { setlId: 'K1', setlTime: '2026-11-20 08:00:00', acctPay: 500 },
      { setlId: 'K2', setlTime: '2026-11-20 09:00:00', acctPay: 600, code: 'H002' },
    ]);
    const folders = newFolders();
    deliver(folders, 'H001_20261120.csv', [HEADER, row({ setlId: 'K1', setlTime: '2026-11-20 08:00:00', acctPay: '5' }), row({ setlId: 'K9', setlTime: '2026-11-20 08:00:00', acctPay: '1' })]);
    deliver(folders, 'junk.xlsx', 'not a csv');

    const run = await runCli(['recon', 'run', '--date', '2026-11-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('H001_20261120.csv: reconciled, 2 rows');
    expect(run.stdout).toContain('junk.xlsx: rejected (file name does not match {fixmedins_code}_{YYYYMMDD}.csv)');
    expect(run.stdout).toMatch(/H001 +│ +1 +│ +0 +│ +0 +│ +1 +│ +0 +│ +0 +│ +0/);
    expect(run.stdout).toMatch(/H002 +│ +0 +│ +0 +│ +0 +│ +0 +│ +1 +│ +0 +│ +0/);
    expect(listDir(folders.outbox)).toEqual(['recon_20261120.csv', 'recon_20261120_counts.csv']);
    const report = readFileSync(path.join(folders.outbox, 'recon_20261120.csv'), 'utf8');
    expect(report.split('\n')[0]).toBe('business_date,fixmedins_code,setl_id,code,file_acct_pay,file_acct_mulaid_pay,ledger_acct_pay,ledger_acct_mulaid_pay,file,row,detail');
    expect(readCsv(path.join(folders.outbox, 'recon_20261120.csv')).map((r) => `${r.fixmedins_code} ${r.code} ${r.setl_id}`)).toEqual([
      'H001 MISSING_IN_LEDGER K9', 'H002 MISSING_IN_FILE K2',
    ]);
    expect(readFileSync(path.join(folders.outbox, 'recon_20261120_counts.csv'), 'utf8')).toBe(
      'business_date,fixmedins_code,MATCHED,AMOUNT_MISMATCH,WRONG_PAYEE,MISSING_IN_LEDGER,MISSING_IN_FILE,DUPLICATE_ROW,INVALID_ROW\n'
        + '2026-11-20,H001,1,0,0,1,0,0,0\n2026-11-20,H002,0,0,0,0,1,0,0\n',
    );

    const out = path.join(folders.outbox, 'export.csv');
    const exported = await runCli(['recon', 'export', '--date', '2026-11-20', '--out', out], env);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(report);
  });

  it('recon run --json prints one JSON object with the files and the counts', async () => {
    const folders = newFolders();
    const run = await runCli(['recon', 'run', '--date', '2026-11-21', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ business_date: '2026-11-21', files: [], counts: [], discrepancies: 0, report: path.join(folders.outbox, 'recon_20261121.csv') });
  });

  it('recon run without --wait only enqueues the day', async () => {
    const folders = newFolders();
    deliver(folders, 'H001_20261122.csv', [HEADER]);
    const run = await runCli(['recon', 'run', '--date', '2026-11-22', '--inbox', folders.inbox, '--outbox', folders.outbox], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^reconciliation of 2026-11-22 queued as job recon-day-20261122-\S+; start a worker or add --wait\n$/);
    expect(listDir(folders.inbox)).toEqual(['H001_20261122.csv']);
    expect(listDir(folders.outbox)).toEqual([]);
  });

  it('exits 1 with a one-line reason for a bad date or an export of a day never reconciled', async () => {
    const bad = await runCli(['recon', 'run', '--date', '2026-02-30'], env);
    expect(bad).toMatchObject({ code: 1, stdout: '', stderr: "error: --date must be a date YYYY-MM-DD, got '2026-02-30'\n" });
    const never = await runCli(['recon', 'export', '--date', '2025-01-01', '--out', path.join(newFolders().outbox, 'x.csv')], env);
    expect(never).toMatchObject({ code: 1, stderr: 'error: 2025-01-01 has not been reconciled yet: run recon run --date 2025-01-01 first\n' });
  });

  it('reconciles settlements imported through import settlements, refunds included, to the fen', async () => {
    const imports = [
      ['persons', [personRow('IMP1'), personRow('IMP2')]],
      ['accounts', [{ psn_no: 'IMP1', balance: '100.00' }, { psn_no: 'IMP2', balance: '0.00' }]],
      ['settlements', [
        settlementRow('IS1', 'IMP1', 'H001', '30.55', { setl_time: '2026-11-23 09:00:00' }),
        settlementRow('IS2', 'IMP2', 'H001', '12.00', { setl_time: '2026-11-23 10:00:00' }),
        settlementRow('IS3', 'IMP1', 'H001', '-30.55', { setl_time: '2026-11-23 11:00:00', orig_setl_id: 'IS1', medfee_sumamt: '-30.55' }),
        settlementRow('IS4', 'IMP1', 'H001', '120.00', { setl_time: '2026-11-23 12:00:00' }),
      ]],
    ] as const;
    for (const [kind, rows] of imports) {
      const imported = await runCli(['import', kind, writeImportFile(`${kind}.csv`, rows as never)], env);
      expect(imported.code, imported.stderr).toBe(0);
    }
    const folders = newFolders();
    writeFileSync(path.join(folders.inbox, 'H001_20261123.csv'), [
      HEADER,
      row({ setlId: 'IS1', psnNo: 'IMP1', acctPay: '30.55', medfee: '30.55', setlTime: '2026-11-23 09:00:00' }),
      row({ setlId: 'IS2', psnNo: 'IMP2', acctPay: '0', medfee: '12.00', setlTime: '2026-11-23 10:00:00' }),
      row({ setlId: 'IS3', psnNo: 'IMP1', acctPay: '-30.55', medfee: '-30.55', flag: '1', setlTime: '2026-11-23 11:00:00' }),
      row({ setlId: 'IS4', psnNo: 'IMP1', acctPay: '120.00', medfee: '120.00', setlTime: '2026-11-23 12:00:00' }),
    ].join('\n'));

    const run = await runCli(['recon', 'run', '--date', '2026-11-23', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait', '--json'], env);

    expect(run.code, run.stderr).toBe(0);
    // IS4's account held 100.00 once IS1's refund came back; the rest was cash, but the file claims it all.
    expect(JSON.parse(run.stdout).counts).toEqual([
      { fixmedins_code: 'H001', MATCHED: 3, AMOUNT_MISMATCH: 1, WRONG_PAYEE: 0, MISSING_IN_LEDGER: 0, MISSING_IN_FILE: 0, DUPLICATE_ROW: 0, INVALID_ROW: 0 },
    ]);
    expect(readCsv(path.join(folders.outbox, 'recon_20261123.csv')).map((r) => [r.setl_id, r.code, r.file_acct_pay, r.ledger_acct_pay])).toEqual([
      ['IS4', 'AMOUNT_MISMATCH', '120.00', '100.00'],
    ]);
  });
});
