import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DayResult } from '../../src/recon/reconcile-day.service.ts';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import {
  addInstitution, addSettlements, answerLines, deliver, HEADER, listDir, newFolders, readCsv, reconcile, row, tabLines, withoutDetail, zipOf,
  type CsvObject, type LedgerSpec,
} from '../support/recon.ts';

const db = await useTestDb('recon_national');
const app = useTestApp(db.url);
const folders = newFolders();
const answer = (name: string) => answerLines(path.join(folders.outbox, name));
let first: DayResult;
let second: DayResult;
/** The first run's outbox, before the second run rewrites it. */
let firstReport: CsvObject[];
const firstAnswers = new Map<string, string[][]>();

/** A settlement of 100.00 of which the funds paid 60.00 and the patient's account 30.00, unless said otherwise. */
const paid = (setlId: string, over: Partial<LedgerSpec> = {}): LedgerSpec => ({ setlId, medfee: 10000, fundPay: 6000, acctPay: 3000, ...over });

beforeAll(async () => {
  for (const code of ['H001', 'H002', 'H003', 'H004', 'H005']) await addInstitution(db.pool, code);
  await addSettlements(db.pool, [
    paid('A01'), paid('A02'), paid('A03', { psnNo: 'P3' }), paid('A05'),
    paid('A06', { medfee: -5000, fundPay: -3000, acctPay: -2000, origSettlementId: 999_999 }),
    paid('A08', { fundPay: undefined }), paid('A09'),
    paid('B01', { code: 'H002', psnNo: 'P2' }), paid('B02', { code: 'H002', psnNo: 'P2' }),
    paid('C01', { code: 'H003', insutype: '310', clrType: '11' }),
    paid('C02', { code: 'H003', insutype: '390', clrType: '11', medfee: 5000, fundPay: undefined, acctPay: 0 }),
    paid('C03', { code: 'H003', insutype: '310', clrType: '11', medfee: -2000, fundPay: -1000, acctPay: -500, origSettlementId: 999_998 }),
    paid('D01', { code: 'H004', insutype: '310', clrType: '11' }),
    paid('D02', { code: 'H004', clrType: '21', medfee: 4000, fundPay: 2000, acctPay: 1000 }),
    paid('E01', { code: 'H005' }),
  ]);
  deliver(folders, 'H001_20261123.3202.txt', tabLines([
    ['A01', 'MA01', 'P1', '100.00', '60.00', '30.00', '0'],
    ['A02', 'MA02', 'P1', '100', '60', '25', '0'],
    ['A03', 'MA03', 'P9', '100.00', '60.00', '30.00', '0'],
    ['A04', 'MA04', 'P1', '1.00', '0.00', '0.00', '0'],
    ['A01', 'MA01', 'P1', '100.00', '60.00', '30.00', '0'],
    ['A05', 'MA05', 'P1', '100.00', '60.00', 'abc', '0'],
    ['A06', 'null', 'P1', '-50.00', '-30.00', '-20.00', '1'],
    [],
    ['A08', 'MA08', 'P1', '100.00', '10.00', '30.00', '0'],
    ['A10', 'MA10', 'P1', '1.00', '0'],
    ['null', 'MX', 'P1', '1.00', '0.00', '0.00', '0'],
  ]));
  const gb = iconv.encode(tabLines([['B01', '门诊一', 'P2', '100.00', '60.00', '30.00', '0'], ['B02', '门诊二', 'P2', '99.00', '60.00', '30.00', '0']]), 'gb18030');
  deliver(folders, 'H002_20261123.3202.zip', await zipOf({ '明细/H002_20261123.3202.txt': gb, '说明/': Buffer.alloc(0) }));
  deliver(folders, 'H001_20261123.3201.txt', tabLines([['null', 'null', '550.00', 'null', '160.00', '7']]));
  deliver(folders, 'H003_20261123.3201.txt', tabLines([['310', '11', '80.00', '50.00', '25.00', '2'], ['390', '11', '50.00', 'null', '0.00', '1']]));
  deliver(folders, 'H004_20261123.3201.txt', tabLines([['310', '11', '100.00', '60.00', '30.00', '2'], ['390', '41', '1.00', '0.00', '0.00', '1']]));
  deliver(folders, 'H005_20261123.csv', [HEADER, row({ setlId: 'E01', code: 'H005', acctPay: '30.00' })]);
  deliver(folders, 'H005_20261123.3201.txt', tabLines([['null', 'null', '100.01', '60.00', '30.00', '1']]));
  first = await reconcile(app, folders);
  firstReport = readCsv(first.report);
  for (const file of first.answers) firstAnswers.set(path.basename(file), answerLines(file));

  // The next run: H001 corrects its 3202 file, H004 its totals.
  deliver(folders, 'H001_20261123.3202.txt', tabLines([['A01', 'MA01', 'P1', '100.00', '60.00', '30.00', '0'], ['A02', 'MA02', 'P1', '100.00', '60.00', '30.00', '0']]));
  deliver(folders, 'H004_20261123.3201.txt', tabLines([['310', '11', '100.00', '60.00', '30.00', '1'], ['null', '21', '40.00', '20.00', '10.00', '1']]));
  second = await reconcile(app, folders);
}, 120_000);

const f1 = 'H001_20261123.3202.txt';
const d = { business_date: '2026-11-23' };

describe('recon run: national 3202 detail files', () => {
  it('judges a 3202 file with every code, null fields and a refund row, and answers each row in order, then each settlement it lacks', () => {
    expect(first.files.find((f) => f.file === f1)).toEqual({
      file: f1, status: 'reconciled', rows: 10,
      counts: { MATCHED: 3, AMOUNT_MISMATCH: 1, WRONG_PAYEE: 1, MISSING_IN_LEDGER: 1, DUPLICATE_ROW: 1, INVALID_ROW: 3 },
    });
    expect(first.answers.map((a) => path.basename(a)).sort()).toEqual([
      'H001_20261123.3201.result.txt', 'H001_20261123.3202.result.txt', 'H002_20261123.3202.result.txt', 'H003_20261123.3201.result.txt',
      'H004_20261123.3201.result.txt', 'H005_20261123.3201.result.txt',
    ]);
    expect(firstAnswers.get('H001_20261123.3202.result.txt')).toEqual([
      ['A01', 'MA01', 'P1', '0', '0', 'MATCHED', '100.00', '60.00', '30.00'],
      ['A02', 'MA02', 'P1', '3', '0', 'AMOUNT_MISMATCH', '100.00', '60.00', '30.00'],
      ['A03', 'MA03', 'P9', '3', '0', 'WRONG_PAYEE', '100.00', '60.00', '30.00'],
      ['A04', 'MA04', 'P1', '2', '0', 'MISSING_IN_LEDGER', 'null', 'null', 'null'],
      ['A01', 'MA01', 'P1', '3', '0', 'DUPLICATE_ROW', '100.00', '60.00', '30.00'],
      ['A05', 'MA05', 'P1', '2', '0', 'INVALID_ROW', '100.00', '60.00', '30.00'],
      ['A06', 'null', 'P1', '0', '1', 'MATCHED', '-50.00', '-30.00', '-20.00'],
      // The ledger does not know A08's fund_pay_sumamt: not compared, answered null.
      ['A08', 'MA08', 'P1', '0', '0', 'MATCHED', '100.00', 'null', '30.00'],
      ['A10', 'MA10', 'P1', '2', 'null', 'INVALID_ROW', 'null', 'null', 'null'],
      ['null', 'MX', 'P1', '2', '0', 'INVALID_ROW', 'null', 'null', 'null'],
      // Lacking settlements by setl_id: A05's row was invalid, so A05 is answered twice.
      ['A05', 'MA05', 'P1', '1', '0', 'MISSING_IN_FILE', '100.00', '60.00', '30.00'],
      ['A09', 'MA09', 'P1', '1', '0', 'MISSING_IN_FILE', '100.00', '60.00', '30.00'],
    ]);
  });

  it('writes the 3202 outcomes to the day report as CSV ones, acct_mulaid_pay empty on the file side', () => {
    const report = withoutDetail(firstReport).filter((r) => r.fixmedins_code === 'H001');
    const side = (file: string, ledger: string) => ({ file_acct_pay: file, file_acct_mulaid_pay: '', ledger_acct_pay: ledger, ledger_acct_mulaid_pay: ledger === '' ? '' : '0.00' });
    expect(report).toEqual([
      { ...d, fixmedins_code: 'H001', setl_id: 'A02', code: 'AMOUNT_MISMATCH', ...side('25.00', '30.00'), file: f1, row: '2' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A03', code: 'WRONG_PAYEE', ...side('30.00', '30.00'), file: f1, row: '3' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A04', code: 'MISSING_IN_LEDGER', ...side('0.00', ''), file: f1, row: '4' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A01', code: 'DUPLICATE_ROW', ...side('30.00', '30.00'), file: f1, row: '5' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A05', code: 'INVALID_ROW', ...side('', '30.00'), file: f1, row: '6' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A10', code: 'INVALID_ROW', ...side('', ''), file: f1, row: '9' },
      { ...d, fixmedins_code: 'H001', setl_id: '', code: 'INVALID_ROW', ...side('', ''), file: f1, row: '10' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A05', code: 'MISSING_IN_FILE', ...side('', '30.00'), file: f1, row: '' },
      { ...d, fixmedins_code: 'H001', setl_id: 'A09', code: 'MISSING_IN_FILE', ...side('', '30.00'), file: f1, row: '' },
    ]);
    const detail = Object.fromEntries(firstReport.filter((r) => r.fixmedins_code === 'H001').map((r) => [`${r.code}:${r.row}`, r.detail]));
    expect(detail['AMOUNT_MISMATCH:2']).toBe('acct_pay file 25.00, ledger 30.00');
    expect(detail['INVALID_ROW:6']).toBe('acct_pay "abc" is not an amount');
    expect(detail['INVALID_ROW:9']).toBe('wrong field count: 5 tab-separated fields, 7 expected');
    expect(detail['INVALID_ROW:10']).toBe('setl_id is empty');
  });

  it('reads a GB18030 file inside a zip, naming the zip in the report', () => {
    expect(firstAnswers.get('H002_20261123.3202.result.txt')).toEqual(answer('H002_20261123.3202.result.txt'));
    expect(answer('H002_20261123.3202.result.txt')).toEqual([
      ['B01', '门诊一', 'P2', '0', '0', 'MATCHED', '100.00', '60.00', '30.00'],
      ['B02', '门诊二', 'P2', '3', '0', 'AMOUNT_MISMATCH', '100.00', '60.00', '30.00'],
    ]);
    const report = firstReport.filter((r) => r.fixmedins_code === 'H002');
    expect(report.map((r) => [r.setl_id, r.code, r.file, r.row, r.detail])).toEqual([
      ['B02', 'AMOUNT_MISMATCH', 'H002_20261123.3202.zip', '2', 'medfee_sumamt file 99.00, ledger 100.00'],
    ]);
    expect(listDir(path.join(folders.inbox, 'archive'))).toContainEqual(expect.stringMatching(/^H002_20261123\.[0-9a-f]{8}\.3202\.zip$/));
  });

  it('answers a corrected 3202 file in place of the first, and leaves the totals answers as they were', () => {
    expect(answer('H001_20261123.3202.result.txt')).toEqual([
      ['A01', 'MA01', 'P1', '0', '0', 'MATCHED', '100.00', '60.00', '30.00'],
      ['A02', 'MA02', 'P1', '0', '0', 'MATCHED', '100.00', '60.00', '30.00'],
      ['A03', 'MA03', 'P3', '1', '0', 'MISSING_IN_FILE', '100.00', '60.00', '30.00'],
      ['A05', 'MA05', 'P1', '1', '0', 'MISSING_IN_FILE', '100.00', '60.00', '30.00'],
      ['A06', 'MA06', 'P1', '1', '1', 'MISSING_IN_FILE', '-50.00', '-30.00', '-20.00'],
      ['A08', 'MA08', 'P1', '1', '0', 'MISSING_IN_FILE', '100.00', 'null', '30.00'],
      ['A09', 'MA09', 'P1', '1', '0', 'MISSING_IN_FILE', '100.00', '60.00', '30.00'],
    ]);
    expect(readCsv(second.report).filter((r) => r.fixmedins_code === 'H001').map((r) => `${r.code} ${r.setl_id}`)).toEqual([
      'MISSING_IN_FILE A03', 'MISSING_IN_FILE A05', 'MISSING_IN_FILE A06', 'MISSING_IN_FILE A08', 'MISSING_IN_FILE A09',
    ]);
    expect(answer('H001_20261123.3201.result.txt')).toEqual([['null', 'null', '0', 'balanced']]);
    expect(answer('H003_20261123.3201.result.txt')).toEqual([['310', '11', '0', 'balanced'], ['390', '11', '0', 'balanced']]);
  });
});

describe('recon run: national 3201 totals files', () => {
  it('balances totals per (insutype, clr_type), refunds counted with their sign, with or without a detail file', () => {
    expect(readFileSync(path.join(folders.outbox, 'H003_20261123.3201.result.txt'), 'utf8')).toBe('310\t11\t0\tbalanced\n390\t11\t0\tbalanced\n');
    expect(readFileSync(path.join(folders.outbox, 'H001_20261123.3201.result.txt'), 'utf8')).toBe('null\tnull\t0\tbalanced\n');
  });

  it('names each difference, an extra group and a missing one (unknown insutype as null) when the totals do not balance', () => {
    const firstAnswer = path.join(folders.outbox, 'H004_20261123.3201.result.txt');
    expect(first.answers).toContain(firstAnswer);
    expect(firstAnswers.get('H004_20261123.3201.result.txt')).toEqual([
      ['310', '11', '1', 'fixmedins_setl_cnt file 2, ledger 1'],
      ['390', '41', '1', 'extra group: the ledger has no settlement of insutype 390, clr_type 41'],
      ['null', '21', '1', 'missing group: the ledger has medfee_sumamt 40.00, fund_pay_sumamt 20.00, acct_pay 10.00, fixmedins_setl_cnt 1'],
    ]);
    expect(answerLines(path.join(folders.outbox, 'H005_20261123.3201.result.txt'))).toEqual([
      ['null', 'null', '1', 'medfee_sumamt file 100.01, ledger 100.00'],
    ]);
    // The second H004 file's answer replaced the first's.
    expect(answer('H004_20261123.3201.result.txt')).toEqual([['310', '11', '0', 'balanced'], ['null', '21', '0', 'balanced']]);
  });

  it('makes MISSING_IN_FILE unnecessary where balanced totals came without a detail file, and only there', () => {
    const missing = (report: CsvObject[]) => report.filter((r) => r.code === 'MISSING_IN_FILE').map((r) => `${r.fixmedins_code} ${r.setl_id}`);
    // H003 balanced, no detail file: nothing missing. H004 unbalanced at first: all missing; balanced later: nothing.
    expect(missing(firstReport)).toEqual(['H001 A05', 'H001 A09', 'H004 D01', 'H004 D02']);
    expect(missing(readCsv(second.report))).toEqual(['H001 A03', 'H001 A05', 'H001 A06', 'H001 A08', 'H001 A09']);
    // H005 sent a CSV file: it is judged as ever, and gets no .3202 answer.
    expect(existsSync(path.join(folders.outbox, 'H005_20261123.3202.result.txt'))).toBe(false);
    expect(readCsv(first.countsFile).find((c) => c.fixmedins_code === 'H005')).toMatchObject({ MATCHED: '1' });
  });
});

describe('recon run: an unbalanced 3201 answer', () => {
  it('lists the differing line, the extra group and the missing group, in that order', async () => {
    const own = newFolders();
    await addInstitution(db.pool, 'H006');
    await addSettlements(db.pool, [
      paid('G01', { code: 'H006', insutype: '310', clrType: '11', setlTime: '2026-11-25 09:00:00' }),
      paid('G02', { code: 'H006', clrType: '21', medfee: 4000, fundPay: 2000, acctPay: 1000, setlTime: '2026-11-25 09:00:00' }),
    ]);
    deliver(own, 'H006_20261125.3201.txt', tabLines([['310', '11', '100.00', '60.00', '30.00', '2'], ['390', '41', '1.00', '0.00', '0.00', '1'], ['310', '11', 'x', '0', '0', '1']]));
    const result = await reconcile(app, own, '2026-11-25');
    expect(readFileSync(path.join(own.outbox, 'H006_20261125.3201.result.txt'), 'utf8')).toBe([
      '310\t11\t1\tfixmedins_setl_cnt file 2, ledger 1',
      '390\t41\t1\textra group: the ledger has no settlement of insutype 390, clr_type 41',
      '310\t11\t1\tline 3: medfee_sumamt "x" is not an amount',
      'null\t21\t1\tmissing group: the ledger has medfee_sumamt 40.00, fund_pay_sumamt 20.00, acct_pay 10.00, fixmedins_setl_cnt 1',
      '',
    ].join('\n'));
    expect(readCsv(result.report).map((r) => `${r.code} ${r.setl_id}`)).toEqual(['MISSING_IN_FILE G01', 'MISSING_IN_FILE G02']);
  });
});

describe('recon run: national files rejected whole', () => {
  it('moves to rejected/ with its reason a zip without exactly one .txt, a first line without seven fields, undecodable bytes and an unknown institution', async () => {
    const own = newFolders();
    for (const code of ['R01', 'R02', 'R03', 'R04', 'R05']) await addInstitution(db.pool, code);
    await addSettlements(db.pool, [paid('R0301', { code: 'R03', setlTime: '2026-11-24 09:00:00' })]);
    deliver(own, 'R01_20261124.3202.zip', await zipOf({ 'R01_20261124.csv': 'x' }));
    deliver(own, 'R02_20261124.3202.zip', await zipOf({ 'a.txt': 'A\tM\tP1\t1\t0\t0\t0\n', 'b.TXT': 'x' }));
    deliver(own, 'R03_20261124.3202.txt', '\n\nR0301\tM\tP1\t100.00\t60.00\t0\nR0302\tM\tP1\t1\t0\t0\t0\n');
    deliver(own, 'R04_20261124.3202.txt', Buffer.from([0x41, 0x09, 0xff, 0xfe, 0x0a]));
    deliver(own, 'R05_20261124.3201.txt', '310\t11\t1.00\t0\t0\n');
    deliver(own, 'R99_20261124.3202.txt', 'A\tM\tP1\t1\t0\t0\t0\n');
    deliver(own, 'R01_20261124.3202.rar', 'x');
    const result = await reconcile(app, own, '2026-11-24');
    const rejected = path.join(own.inbox, 'rejected');
    const reason = (name: string) => readFileSync(path.join(rejected, `${name}.reason`), 'utf8').trim();
    expect(reason('R01_20261124.3202.zip')).toBe('the zip holds 0 .txt files, exactly one expected');
    expect(reason('R02_20261124.3202.zip')).toBe('the zip holds 2 .txt files, exactly one expected');
    expect(reason('R03_20261124.3202.txt')).toBe(
      'first line has 6 tab-separated fields, 7 expected (setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag)',
    );
    expect(reason('R04_20261124.3202.txt')).toBe('cannot be decoded as UTF-8 or GB18030');
    expect(reason('R05_20261124.3201.txt')).toBe(
      'first line has 5 tab-separated fields, 6 expected (insutype, clr_type, medfee_sumamt, fund_pay_sumamt, acct_pay, fixmedins_setl_cnt)',
    );
    expect(reason('R99_20261124.3202.txt')).toBe('unknown institution R99');
    expect(reason('R01_20261124.3202.rar')).toMatch(/does not match/);
    expect(result.files.map((f) => f.status)).toEqual(Array(7).fill('rejected'));
    // Rejected counts as not sent: R03's settlement is missing, and no answer is written.
    expect(readCsv(result.report).map((r) => `${r.fixmedins_code} ${r.code} ${r.setl_id}`)).toEqual(['R03 MISSING_IN_FILE R0301']);
    expect(result.answers).toEqual([]);
  });
});

describe('recon run: a CSV file replacing a 3202 file', () => {
  it('takes the 3202 answer out of the outbox: only a 3202 file gets one', async () => {
    const own = newFolders();
    await addInstitution(db.pool, 'H007');
    await addSettlements(db.pool, [paid('K01', { code: 'H007', setlTime: '2026-11-26 09:00:00' })]);
    deliver(own, 'H007_20261126.3202.txt', tabLines([['K01', 'MK01', 'P1', '100.00', '60.00', '30.00', '0']]));
    const answerFile = path.join(own.outbox, 'H007_20261126.3202.result.txt');
    expect((await reconcile(app, own, '2026-11-26')).answers).toEqual([answerFile]);
    expect(readFileSync(answerFile, 'utf8')).toBe('K01\tMK01\tP1\t0\t0\tMATCHED\t100.00\t60.00\t30.00\n');
    deliver(own, 'H007_20261126.csv', [HEADER, row({ setlId: 'K01', code: 'H007', acctPay: '30.00', setlTime: '2026-11-26 09:00:00' })]);
    const result = await reconcile(app, own, '2026-11-26');
    expect(result.answers).toEqual([]);
    expect(existsSync(answerFile)).toBe(false);
    expect(readCsv(result.countsFile)).toEqual([expect.objectContaining({ fixmedins_code: 'H007', MATCHED: '1', MISSING_IN_FILE: '0' })]);
  });
});
