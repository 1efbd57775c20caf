import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import {
  addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, readCsv, reconcile, row, tableCounts, withoutDetail,
} from '../support/recon.ts';

const db = await useTestDb('recon_reruns');
const app = useTestApp(db.url);

beforeAll(async () => {
  await addInstitution(db.pool, 'H001');
  await addInstitution(db.pool, 'H002');
});

const codesOf = (file: string) => readCsv(file).map((r) => `${r.fixmedins_code} ${r.code} ${r.setl_id}${r.row ? `@${r.row}` : ''}`);

/** Outcome rows stored per version of a file, oldest version first. */
async function outcomesPerVersion(fileName: string): Promise<number[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    'SELECT COUNT(o.id) AS n FROM recon_files f LEFT JOIN recon_outcomes o ON o.file_id = f.id WHERE f.file_name = ? GROUP BY f.id ORDER BY f.id',
    [fileName],
  );
  return rows.map((r) => Number(r.n));
}

describe('recon run: running again', () => {
  it('changes nothing when run twice for a day', async () => {
    await addSettlements(db.pool, [
      { setlId: 'A1', setlTime: '2026-11-01 08:00:00', acctPay: 500 },
      { setlId: 'A2', setlTime: '2026-11-01 09:00:00', acctPay: 600 },
      { setlId: 'A3', setlTime: '2026-11-01 10:00:00', acctPay: 700, code: 'H002' },
    ]);
    const folders = newFolders();
    deliver(folders, 'H001_20261101.csv', [HEADER, row({ setlId: 'A1', setlTime: '2026-11-01 08:00:00', acctPay: '5' }), row({ setlId: 'A2', setlTime: '2026-11-01 09:00:00', acctPay: '6.01' })]);
    const first = await reconcile(app, folders, '2026-11-01');
    const report = readFileSync(first.report);
    const counts = readFileSync(first.countsFile);
    const tables = await tableCounts(db.pool);
    const archive = listDir(path.join(folders.inbox, 'archive'));

    const second = await reconcile(app, folders, '2026-11-01');

    expect(second.files).toEqual([]);
    expect(readFileSync(second.report)).toEqual(report);
    expect(readFileSync(second.countsFile)).toEqual(counts);
    expect(await tableCounts(db.pool)).toEqual(tables);
    expect(listDir(path.join(folders.inbox, 'archive'))).toEqual(archive);
    expect(codesOf(second.report)).toEqual(['H001 AMOUNT_MISMATCH A2@2', 'H002 MISSING_IN_FILE A3']);
  });

  it('recognises the same content delivered again, archives it and records nothing new', async () => {
    await addSettlements(db.pool, [{ setlId: 'B1', setlTime: '2026-11-02 08:00:00', acctPay: 500 }]);
    const folders = newFolders();
    const content = [HEADER, row({ setlId: 'B1', setlTime: '2026-11-02 08:00:00', acctPay: '5' }), row({ setlId: 'B9', setlTime: '2026-11-02 08:00:00' })];
    deliver(folders, 'H001_20261102.csv', content);
    const first = await reconcile(app, folders, '2026-11-02');
    const tables = await tableCounts(db.pool);

    deliver(folders, 'H001_20261102.csv', content);
    const again = await reconcile(app, folders, '2026-11-02');

    expect(again.files).toEqual([{ file: 'H001_20261102.csv', status: 'skipped', reason: 'same content already reconciled' }]);
    expect(listDir(folders.inbox)).toEqual(['archive']);
    expect(listDir(path.join(folders.inbox, 'archive'))).toHaveLength(1);
    expect(await tableCounts(db.pool)).toEqual(tables);
    expect(readFileSync(again.report)).toEqual(readFileSync(first.report));
  });

  it("replaces an institution's outcomes with those of its corrected file and archives both versions", async () => {
    await addSettlements(db.pool, [
      { setlId: 'C1', setlTime: '2026-11-03 08:00:00', acctPay: 500 },
      { setlId: 'C2', setlTime: '2026-11-03 09:00:00', acctPay: 600 },
      { setlId: 'C3', setlTime: '2026-11-03 09:30:00', acctPay: 100, code: 'H002' },
    ]);
    const folders = newFolders();
    deliver(folders, 'H001_20261103.csv', [HEADER, row({ setlId: 'C1', setlTime: '2026-11-03 08:00:00', acctPay: '4.99' }), row({ setlId: 'C1', setlTime: '2026-11-03 08:00:00', acctPay: '5' })]);
    deliver(folders, 'H002_20261103.csv', [HEADER, row({ setlId: 'C3', code: 'H002', setlTime: '2026-11-03 09:30:00', acctPay: '1.5' })]);
    const first = await reconcile(app, folders, '2026-11-03');
    expect(codesOf(first.report)).toEqual(['H001 AMOUNT_MISMATCH C1@1', 'H001 DUPLICATE_ROW C1@2', 'H001 MISSING_IN_FILE C2', 'H002 AMOUNT_MISMATCH C3@1']);
    expect(await outcomesPerVersion('H001_20261103.csv')).toEqual([2]);

    deliver(folders, 'H001_20261103.csv', [HEADER, row({ setlId: 'C2', setlTime: '2026-11-03 09:00:00', acctPay: '6' }), row({ setlId: 'C1', setlTime: '2026-11-03 08:00:00', acctPay: '5' }), 'C7,,P1']);
    const second = await reconcile(app, folders, '2026-11-03');

    expect(second.files.map((f) => `${f.file} ${f.status}`)).toEqual(['H001_20261103.csv reconciled']);
    expect(withoutDetail(readCsv(second.report)).map((r) => `${r.fixmedins_code} ${r.code} ${r.setl_id} ${r.file} ${r.row}`)).toEqual([
      'H001 INVALID_ROW C7 H001_20261103.csv 3',
      'H002 AMOUNT_MISMATCH C3 H002_20261103.csv 1',
    ]);
    expect(await outcomesPerVersion('H001_20261103.csv')).toEqual([0, 1]);
    expect(listDir(path.join(folders.inbox, 'archive'))).toEqual([
      expect.stringMatching(/^H001_20261103\.[0-9a-f]{8}\.csv$/), expect.stringMatching(/^H001_20261103\.[0-9a-f]{8}\.csv$/), expect.stringMatching(/^H002_20261103\./),
    ]);
    expect(readCsv(second.countsFile).map((c) => [c.fixmedins_code, c.MATCHED, c.INVALID_ROW, c.MISSING_IN_FILE])).toEqual([['H001', '2', '1', '0'], ['H002', '0', '0', '0']]);
  });

  it("keeps an institution's outcomes when its correction is rejected: a rejected file counts as not sent", async () => {
    await addSettlements(db.pool, [{ setlId: 'D1', setlTime: '2026-11-04 08:00:00', acctPay: 500 }]);
    const folders = newFolders();
    deliver(folders, 'H001_20261104.csv', [HEADER, row({ setlId: 'D1', setlTime: '2026-11-04 08:00:00', acctPay: '5.10' })]);
    const first = await reconcile(app, folders, '2026-11-04');

    deliver(folders, 'H001_20261104.csv', 'setl_id,acct_pay\nD1,5\n');
    const second = await reconcile(app, folders, '2026-11-04');

    expect(second.files).toEqual([{ file: 'H001_20261104.csv', status: 'rejected', reason: expect.stringMatching(/missing required column/) }]);
    expect(readFileSync(second.report)).toEqual(readFileSync(first.report));
    expect(codesOf(second.report)).toEqual(['H001 AMOUNT_MISMATCH D1@1']);
  });

  it('recomputes MISSING_IN_FILE on every run: a settlement the ledger gained since is missing, one a new file reports is not', async () => {
    await addSettlements(db.pool, [{ setlId: 'E1', setlTime: '2026-11-05 08:00:00', acctPay: 500 }]);
    const folders = newFolders();
    deliver(folders, 'H001_20261105.csv', [HEADER, row({ setlId: 'E1', setlTime: '2026-11-05 08:00:00', acctPay: '5' })]);
    const first = await reconcile(app, folders, '2026-11-05');
    expect(codesOf(first.report)).toEqual([]);

    await addSettlements(db.pool, [{ setlId: 'E0', setlTime: '2026-11-05 07:00:00', acctPay: 100 }, { setlId: 'E2', setlTime: '2026-11-05 09:00:00', code: 'H002' }]);
    const second = await reconcile(app, folders, '2026-11-05');
    expect(codesOf(second.report)).toEqual(['H001 MISSING_IN_FILE E0', 'H002 MISSING_IN_FILE E2']);
    expect(readCsv(second.report)[0]!.file).toBe('H001_20261105.csv');

    deliver(folders, 'H002_20261105.csv', [HEADER, row({ setlId: 'E2', code: 'H002', setlTime: '2026-11-05 09:00:00' })]);
    const third = await reconcile(app, folders, '2026-11-05');
    expect(codesOf(third.report)).toEqual(['H001 MISSING_IN_FILE E0']);
  });
});
