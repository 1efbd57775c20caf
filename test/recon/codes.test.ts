import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DayResult } from '../../src/recon/reconcile-day.service.ts';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import {
  addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, readCsv, reconcile, row, storedOutcomes, withoutDetail,
} from '../support/recon.ts';

const db = await useTestDb('recon_codes');
const app = useTestApp(db.url);
const folders = newFolders();
let result: DayResult;

beforeAll(async () => {
  for (const code of ['H001', 'H002', 'H003']) await addInstitution(db.pool, code);
  await addSettlements(db.pool, [
    { setlId: 'S01', acctPay: 3000, acctMulaidPay: 2000 },
    { setlId: 'S02', acctPay: 1000 },
    { setlId: 'S03', code: 'H002', psnNo: 'P2', acctPay: 500, acctMulaidPay: 500 },
    { setlId: 'S04', psnNo: 'P4', acctPay: 100, acctMulaidPay: 100 },
    { setlId: 'S06', acctPay: 700, setlTime: '2026-11-23 23:59:59' },
    { setlId: 'S07', acctPay: 200 },
    { setlId: 'S08', acctPay: 800, setlTime: '2026-11-22 23:00:00' },
    { setlId: 'S09', acctPay: 900 },
    { setlId: 'S11', acctPay: -300, acctMulaidPay: -150, medfee: -450, setlTime: '2026-11-23 18:00:00' },
    { setlId: 'S10', code: 'H003', acctMulaidPay: 1234 },
    { setlId: 'S12', acctPay: 100, medfee: 5000 },
    // Another day entirely: never MISSING_IN_FILE on the 23rd.
    { setlId: 'S99', setlTime: '2026-11-24 00:00:00', acctPay: 1 },
  ]);
  deliver(folders, 'H001_20261123.csv', [
    HEADER,
    row({ setlId: 'S01', acctPay: '30.00', acctMulaidPay: '20' }),
    row({ setlId: 'S02', acctPay: '12.00' }),
    row({ setlId: 'S03', psnNo: 'P2', acctPay: '5', acctMulaidPay: '5' }),
    row({ setlId: 'S04', psnNo: 'P9', acctPay: '1', acctMulaidPay: '1' }),
    row({ setlId: 'S05', acctPay: '3.50' }),
    row({ setlId: 'S01', acctPay: '30.00', acctMulaidPay: '20.00' }),
    row({ setlId: 'S07', acctPay: 'abc' }),
    row({ setlId: 'S08', acctPay: '8' }),
    row({ setlId: 'S09', acctPay: '9', setlTime: '2026-11-22 10:00:00' }),
    row({ setlId: 'S09', acctPay: '9' }),
    row({ setlId: 'S11', acctPay: '-3.00', acctMulaidPay: '-1.50', medfee: '-4.50', flag: '1' }),
    row({ setlId: 'S12', acctPay: '1', medfee: '60' }),
  ]);
  result = await reconcile(app, folders);
});

describe('recon run: the seven codes', () => {
  it('writes exactly the expected outcome list, ordered by institution then row, MISSING_IN_FILE last by setl_id', () => {
    const d = { business_date: '2026-11-23' };
    const f = 'H001_20261123.csv';
    expect(withoutDetail(readCsv(result.report))).toEqual([
      { ...d, fixmedins_code: 'H001', setl_id: 'S02', code: 'AMOUNT_MISMATCH', file_acct_pay: '12.00', file_acct_mulaid_pay: '0.00', ledger_acct_pay: '10.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '2' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S03', code: 'WRONG_PAYEE', file_acct_pay: '5.00', file_acct_mulaid_pay: '5.00', ledger_acct_pay: '5.00', ledger_acct_mulaid_pay: '5.00', file: f, row: '3' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S04', code: 'WRONG_PAYEE', file_acct_pay: '1.00', file_acct_mulaid_pay: '1.00', ledger_acct_pay: '1.00', ledger_acct_mulaid_pay: '1.00', file: f, row: '4' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S05', code: 'MISSING_IN_LEDGER', file_acct_pay: '3.50', file_acct_mulaid_pay: '0.00', ledger_acct_pay: '', ledger_acct_mulaid_pay: '', file: f, row: '5' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S01', code: 'DUPLICATE_ROW', file_acct_pay: '30.00', file_acct_mulaid_pay: '20.00', ledger_acct_pay: '30.00', ledger_acct_mulaid_pay: '20.00', file: f, row: '6' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S07', code: 'INVALID_ROW', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '2.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '7' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S09', code: 'INVALID_ROW', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '9.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '9' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S12', code: 'AMOUNT_MISMATCH', file_acct_pay: '1.00', file_acct_mulaid_pay: '0.00', ledger_acct_pay: '1.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '12' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S06', code: 'MISSING_IN_FILE', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '7.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '' },
      { ...d, fixmedins_code: 'H001', setl_id: 'S07', code: 'MISSING_IN_FILE', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '2.00', ledger_acct_mulaid_pay: '0.00', file: f, row: '' },
      { ...d, fixmedins_code: 'H002', setl_id: 'S03', code: 'MISSING_IN_FILE', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '5.00', ledger_acct_mulaid_pay: '5.00', file: '', row: '' },
      { ...d, fixmedins_code: 'H003', setl_id: 'S10', code: 'MISSING_IN_FILE', file_acct_pay: '', file_acct_mulaid_pay: '', ledger_acct_pay: '0.00', ledger_acct_mulaid_pay: '12.34', file: '', row: '' },
    ]);
  });

  it('explains each outcome in the detail column', () => {
    const detail = Object.fromEntries(readCsv(result.report).map((r) => [`${r.code}:${r.setl_id}:${r.fixmedins_code}`, r.detail]));
    expect(detail['AMOUNT_MISMATCH:S02:H001']).toBe('acct_pay file 12.00, ledger 10.00');
    expect(detail['AMOUNT_MISMATCH:S12:H001']).toBe('medfee_sumamt file 60.00, ledger 50.00');
    expect(detail['WRONG_PAYEE:S03:H001']).toBe('the ledger paid institution H002');
    expect(detail['WRONG_PAYEE:S04:H001']).toContain("the ledger's patient is P4");
    expect(detail['DUPLICATE_ROW:S01:H001']).toBe('setl_id already reported in row 1');
    expect(detail['INVALID_ROW:S07:H001']).toBe('acct_pay "abc" is not an amount');
    expect(detail['INVALID_ROW:S09:H001']).toBe('setl_time 2026-11-22 10:00:00 is not on 2026-11-23');
    // Written one by one for an institution with a file, copied by the database for one without: the same form.
    expect(detail['MISSING_IN_FILE:S06:H001']).toBe('settlement not reported in H001_20261123.csv (settled 2026-11-23 23:59:59)');
    expect(detail['MISSING_IN_FILE:S10:H003']).toBe('no file received from the institution (settled 2026-11-23 10:00:00)');
  });

  it('writes per-institution counts of all seven codes, MATCHED included', () => {
    const counts = readCsv(result.countsFile);
    expect(counts).toEqual([
      { business_date: '2026-11-23', fixmedins_code: 'H001', MATCHED: '4', AMOUNT_MISMATCH: '2', WRONG_PAYEE: '2', MISSING_IN_LEDGER: '1', MISSING_IN_FILE: '2', DUPLICATE_ROW: '1', INVALID_ROW: '2' },
      { business_date: '2026-11-23', fixmedins_code: 'H002', MATCHED: '0', AMOUNT_MISMATCH: '0', WRONG_PAYEE: '0', MISSING_IN_LEDGER: '0', MISSING_IN_FILE: '1', DUPLICATE_ROW: '0', INVALID_ROW: '0' },
      { business_date: '2026-11-23', fixmedins_code: 'H003', MATCHED: '0', AMOUNT_MISMATCH: '0', WRONG_PAYEE: '0', MISSING_IN_LEDGER: '0', MISSING_IN_FILE: '1', DUPLICATE_ROW: '0', INVALID_ROW: '0' },
    ]);
    expect(path.basename(result.countsFile)).toBe('recon_20261123_counts.csv');
    expect(path.basename(result.report)).toBe('recon_20261123.csv');
  });

  it('stores every non-MATCHED outcome with its file and row', async () => {
    const stored = await storedOutcomes(db.pool);
    expect(stored).toHaveLength(12);
    expect(stored.filter((o) => o.code === 'MISSING_IN_FILE').every((o) => o.file_id === null && o.row_no === null)).toBe(true);
    expect(stored.filter((o) => o.code !== 'MISSING_IN_FILE').map((o) => o.row_no)).toEqual([2, 3, 4, 5, 6, 7, 9, 12]);
  });

  it('moves the processed file to archive/ under a name that keeps its version', () => {
    expect(existsSync(path.join(folders.inbox, 'H001_20261123.csv'))).toBe(false);
    expect(listDir(path.join(folders.inbox, 'archive'))).toEqual([expect.stringMatching(/^H001_20261123\.[0-9a-f]{8}\.csv$/)]);
    expect(result.files).toEqual([
      { file: 'H001_20261123.csv', status: 'reconciled', rows: 12, counts: { MATCHED: 4, AMOUNT_MISMATCH: 2, WRONG_PAYEE: 2, MISSING_IN_LEDGER: 1, DUPLICATE_ROW: 1, INVALID_ROW: 2 } },
    ]);
  });
});
