import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import {
  addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, readCsv, reconcile, row, tableCounts, withoutDetail, type Folders,
} from '../support/recon.ts';

const db = await useTestDb('recon_rejections');
const app = useTestApp(db.url);

beforeAll(async () => {
  await addInstitution(db.pool, 'H001');
});

/** Each case runs on a business day of its own, with one ledger settlement of H001 that day. */
let day = 0;
async function nextDay(): Promise<{ date: string; compact: string }> {
  day++;
  const date = `2026-10-${String(day).padStart(2, '0')}`;
  await addSettlements(db.pool, [{ setlId: `R${day}`, setlTime: `${date} 09:00:00`, acctPay: 1000 }]);
  return { date, compact: date.replaceAll('-', '') };
}

function expectRejected(folders: Folders, name: string, reason: RegExp): void {
  const rejected = path.join(folders.inbox, 'rejected');
  expect(existsSync(path.join(folders.inbox, name))).toBe(false);
  expect(listDir(rejected)).toEqual([name, `${name}.reason`]);
  expect(readFileSync(path.join(rejected, `${name}.reason`), 'utf8')).toMatch(reason);
  expect(listDir(path.join(folders.inbox, 'archive'))).toEqual([]);
}

describe('recon run: whole-file rejections', () => {
  it.each([
    ['cannot be decoded', (c: string) => Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0xff, 0xff, 0xff, 0x0a])]), /cannot be decoded/],
    ['has no header (empty file)', () => '', /no header/],
    ['has no header (blank lines only)', () => '\n\r\n   \n', /no header/],
    ['lacks a required column', (c: string) => `setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,acct_pay,refd_setl_flag\nR,M,P1,H001,${c} 09:00:00,1,1,0\n`, /missing required column acct_mulaid_pay/],
  ])('moves a file that %s to rejected/ with its reason, records nothing and counts the institution as not sent', async (_name, content, reason) => {
    const { date, compact } = await nextDay();
    const folders = newFolders();
    const name = `H001_${compact}.csv`;
    deliver(folders, name, content(date));
    const before = await tableCounts(db.pool);

    const result = await reconcile(app, folders, date);

    expectRejected(folders, name, reason);
    expect(result.files).toEqual([{ file: name, status: 'rejected', reason: expect.stringMatching(reason) }]);
    expect(await tableCounts(db.pool)).toEqual({ ...before, recon_outcomes: before.recon_outcomes + 1 });
    expect(withoutDetail(readCsv(result.report))).toEqual([{
      business_date: date, fixmedins_code: 'H001', setl_id: `R${day}`, code: 'MISSING_IN_FILE', file_acct_pay: '', file_acct_mulaid_pay: '',
      ledger_acct_pay: '10.00', ledger_acct_mulaid_pay: '0.00', file: '', row: '',
    }]);
  });

  it('rejects a file of an unknown institution', async () => {
    const { date, compact } = await nextDay();
    const folders = newFolders();
    const name = `H999_${compact}.csv`;
    deliver(folders, name, [HEADER, row({ setlId: 'X1', code: 'H999', setlTime: `${date} 10:00:00` })]);
    const before = await tableCounts(db.pool);

    const result = await reconcile(app, folders, date);

    expectRejected(folders, name, /unknown institution H999/);
    expect((await tableCounts(db.pool)).recon_files).toBe(before.recon_files);
    expect(readCsv(result.report).map((r) => r.fixmedins_code)).toEqual(['H001']);
  });

  it('rejects every file in the inbox whose name does not follow {fixmedins_code}_{YYYYMMDD}.csv, whatever day is run, and leaves other days alone', async () => {
    const { date, compact } = await nextDay();
    const folders = newFolders();
    const badNames = [`H001_${date}.csv`, 'readme.txt', `H001_${compact}.CSV`, `H001_${compact}.csv.bak`];
    for (const name of badNames) deliver(folders, name, [HEADER, row({ setlId: `R${day}`, setlTime: `${date} 09:00:00`, acctPay: '10' })]);
    deliver(folders, 'H001_20261231.csv', [HEADER]);
    deliver(folders, '.H001_20261001.csv.uploading', [HEADER]);

    const result = await reconcile(app, folders, date);

    expect(listDir(folders.inbox)).toEqual(['.H001_20261001.csv.uploading', 'H001_20261231.csv', 'rejected']);
    const rejected = path.join(folders.inbox, 'rejected');
    expect(listDir(rejected)).toEqual(badNames.flatMap((n) => [n, `${n}.reason`]).sort());
    for (const name of badNames) expect(readFileSync(path.join(rejected, `${name}.reason`), 'utf8')).toMatch(/does not match \{fixmedins_code\}_\{YYYYMMDD\}\.csv/);
    expect(result.files.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(readCsv(result.report).map((r) => r.code)).toEqual(['MISSING_IN_FILE']);
  });

  it('keeps an earlier rejected file when a second one of the same name is rejected', async () => {
    const { date, compact } = await nextDay();
    const folders = newFolders();
    const name = `H001_${compact}.csv`;
    deliver(folders, name, '');
    await reconcile(app, folders, date);
    deliver(folders, name, 'setl_id\nX\n');
    await reconcile(app, folders, date);

    const rejected = path.join(folders.inbox, 'rejected');
    expect(listDir(rejected)).toEqual([`H001_${compact}.1.csv`, `H001_${compact}.1.csv.reason`, name, `${name}.reason`]);
    expect(readFileSync(path.join(rejected, `H001_${compact}.1.csv.reason`), 'utf8')).toMatch(/missing required column mdtrt_id/);
  });
});
