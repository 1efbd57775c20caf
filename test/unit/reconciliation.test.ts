import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../src/csv/write-csv.ts';
import { parseShanghaiTime } from '../../src/domain/time.ts';
import {
  archivedFileName, checkRow, exportCells, judgeRow, parseReconFileName, RECON_COLUMNS, reportsSettlement,
  type LedgerSettlement, type ReconOutcome, type RowCheck,
} from '../../src/domain/reconciliation.ts';

const file = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };
const layout = { columns: Object.fromEntries(RECON_COLUMNS.map((c, i) => [c, i])) as Record<(typeof RECON_COLUMNS)[number], number>, width: 9 };

/** A row in RECON_COLUMNS order with sensible defaults. */
function fields(overrides: Partial<Record<(typeof RECON_COLUMNS)[number], string>> = {}): string[] {
  const row = {
    setl_id: 'S1', mdtrt_id: 'M1', psn_no: 'P1', fixmedins_code: 'H001', setl_time: '2026-11-23 10:00:00', medfee_sumamt: '100.00',
    acct_pay: '30.00', acct_mulaid_pay: '20.5', refd_setl_flag: '0', ...overrides,
  };
  return RECON_COLUMNS.map((c) => row[c]);
}

function reasonsOf(check: RowCheck): string {
  return check.valid ? '' : check.reasons.join('; ');
}

const ledger = (overrides: Partial<LedgerSettlement> = {}): LedgerSettlement => ({
  id: 7, setlId: 'S1', psnNo: 'P1', fixmedinsCode: 'H001', businessDate: '2026-11-23', medfeeSumamt: 10000, acctPay: 3000, acctMulaidPay: 2050,
  fundPaySumamt: null, ...overrides,
});

describe('reconciliation file names', () => {
  it('reads the institution and business day from {fixmedins_code}_{YYYYMMDD}.csv', () => {
    expect(parseReconFileName('H51010400001_20261123.csv')).toEqual({ fixmedinsCode: 'H51010400001', businessDate: '2026-11-23', format: 'csv' });
  });

  it('reads the national files\' names: .3202.txt, .3202.zip and .3201.txt', () => {
    for (const format of ['3202.txt', '3202.zip', '3201.txt'] as const) {
      expect(parseReconFileName(`H001_20261123.${format}`)).toEqual({ fixmedinsCode: 'H001', businessDate: '2026-11-23', format });
    }
  });

  it.each(['H001_2026-11-23.csv', 'H001_20261123.CSV', 'H001_20261123.csv.part', 'H001-20261123.csv', 'H001_20261131.csv', '_20261123.csv', 'notes.txt', 'H001_20261123.txt',
  'H001_20261123.3203.txt', 'H001_20261123.3202.ZIP', 'H001_20261123.3201.zip'])(
    'does not accept %s',
    (name) => expect(parseReconFileName(name)).toBeNull(),
  );

  it('archives a version under a name carrying its content hash', () => {
    expect(archivedFileName({ ...file, format: 'csv' }, 'ab12cd34ef'.padEnd(64, '0'))).toBe('H001_20261123.ab12cd34.csv');
    expect(archivedFileName({ ...file, format: '3202.zip' }, 'ab12cd34ef'.padEnd(64, '0'))).toBe('H001_20261123.ab12cd34.3202.zip');
  });
});

describe('row validity', () => {
  it('accepts a settlement row and reads its amounts in fen', () => {
    expect(checkRow(fields(), layout, file)).toEqual({
      valid: true, row: { setlId: 'S1', psnNo: 'P1', fixmedinsCode: 'H001', medfeeSumamt: 10000, acctPay: 3000, acctMulaidPay: 2050, fundPaySumamt: null },
    });
  });

  it('accepts an empty mdtrt_id, a date-only setl_time and a refund with all amounts <= 0', () => {
    const check = checkRow(fields({ mdtrt_id: '', setl_time: '2026-11-23', refd_setl_flag: '1', medfee_sumamt: '-100', acct_pay: '-30', acct_mulaid_pay: '0' }), layout, file);
    expect(check).toMatchObject({ valid: true, row: { acctPay: -3000, acctMulaidPay: 0 } });
  });

  it.each([
    ['a missing field', { psn_no: '' }, /psn_no is empty/],
    ['an amount with three decimals', { acct_pay: '1.005' }, /acct_pay "1.005" is not an amount/],
    ['an amount with a thousands separator', { medfee_sumamt: '1,000.00' }, /medfee_sumamt "1,000.00" is not an amount/],
    ['a time that does not exist', { setl_time: '2026-11-23 24:00:00' }, /setl_time "2026-11-23 24:00:00" is not a time/],
    ['a time on another day', { setl_time: '2026-11-22 23:59:59' }, /setl_time 2026-11-22 23:59:59 is not on 2026-11-23/],
    ['a refund flag other than 0 or 1', { refd_setl_flag: 'Y' }, /refd_setl_flag "Y" is not 0 or 1/],
    ['a negative amount on a settlement', { medfee_sumamt: '-1.00' }, /medfee_sumamt must be >= 0/],
    ['a positive amount on a refund', { refd_setl_flag: '1', acct_pay: '-1', acct_mulaid_pay: '0', medfee_sumamt: '5' }, /medfee_sumamt must be <= 0/],
    ["another institution's code", { fixmedins_code: 'H002' }, /fixmedins_code "H002" is not the file's institution H001/],
  ])('rejects %s', (_name, overrides, reason) => {
    const check = checkRow(fields(overrides), layout, file);
    expect(check.valid).toBe(false);
    expect(reasonsOf(check)).toMatch(reason);
  });

  it.each([
    '2026-11-23 00:00:00', '2026-11-23 23:59:59', '2026-11-23', '2026-11-23 24:00:00', '2026-11-23 23:60:00', '2026-11-23 23:59:60',
    '2026-11-23 9:00:00', '2026-11-23T10:00:00', '2026-11-23 10:00', '2026-11-23 10:00:00.5', '2026-11-23 1a:00:00', '2026-11-23 -1:00:0',
    '2026-11-23 10:00:00 ', '2026-11-230', '2026-11-22 10:00:00', '2026-11-24', '2026-13-23 10:00:00',
  ])('accepts setl_time %j exactly when parseShanghaiTime reads it as a time on the business day', (setlTime) => {
    expect(checkRow(fields({ setl_time: setlTime }), layout, file).valid).toBe(parseShanghaiTime(setlTime)?.slice(0, 10) === '2026-11-23');
  });

  it('rejects a row with a wrong column count but keeps its raw setl_id', () => {
    const check = checkRow(['=S9', 'M1', 'P1'], layout, file);
    expect(check).toEqual({ valid: false, setlId: '=S9', reasons: ['wrong column count: 3 fields, the header has 9'] });
  });

  it('counts a row as wide as a header with extra columns as complete', () => {
    const wide = { ...layout, width: 10 };
    expect(checkRow([...fields(), 'extra'], wide, file).valid).toBe(true);
    expect(checkRow(fields(), wide, file).valid).toBe(false);
  });
});

describe('judging a row', () => {
  const valid = checkRow(fields(), layout, file);

  it('is INVALID_ROW before anything else, even when its setl_id is a duplicate or in the ledger', () => {
    const invalid = checkRow(fields({ acct_pay: 'x' }), layout, file);
    expect(judgeRow(invalid, 1, ledger()).code).toBe('INVALID_ROW');
  });

  it('is DUPLICATE_ROW after the first valid occurrence, whatever the ledger says', () => {
    expect(judgeRow(valid, 3, ledger())).toEqual({ code: 'DUPLICATE_ROW', detail: 'setl_id already reported in row 3' });
    expect(judgeRow(valid, 3, undefined).code).toBe('DUPLICATE_ROW');
  });

  it('is MISSING_IN_LEDGER when the ledger has no such setl_id', () => {
    expect(judgeRow(valid, undefined, undefined).code).toBe('MISSING_IN_LEDGER');
  });

  it('checks WRONG_PAYEE (institution or patient) before amounts', () => {
    expect(judgeRow(valid, undefined, ledger({ fixmedinsCode: 'H002', acctPay: 1 })).code).toBe('WRONG_PAYEE');
    expect(judgeRow(valid, undefined, ledger({ psnNo: 'P2', acctPay: 1 }))).toEqual({ code: 'WRONG_PAYEE', detail: 'the ledger\'s patient is P2, the file\'s "P1"' });
  });

  it('is AMOUNT_MISMATCH when medfee_sumamt, acct_pay or acct_mulaid_pay differs, naming each', () => {
    expect(judgeRow(valid, undefined, ledger({ acctMulaidPay: 2000 }))).toEqual({
      code: 'AMOUNT_MISMATCH', detail: 'acct_mulaid_pay file 20.50, ledger 20.00',
    });
    expect(judgeRow(valid, undefined, ledger({ medfeeSumamt: 9999, acctPay: 1 }))).toEqual({
      code: 'AMOUNT_MISMATCH', detail: 'medfee_sumamt file 100.00, ledger 99.99; acct_pay file 30.00, ledger 0.01',
    });
    // A CSV row has no fund_pay_sumamt: whatever the ledger knows of it is not compared.
    expect(judgeRow(valid, undefined, ledger({ fundPaySumamt: 123 })).code).toBe('MATCHED');
    expect(judgeRow(valid, undefined, ledger()).code).toBe('MATCHED');
  });

  it('counts a ledger settlement as reported only by a valid first row of its own institution and day', () => {
    expect(reportsSettlement(valid, undefined, ledger({ psnNo: 'P2' }), file)).toBe(true);
    expect(reportsSettlement(valid, 2, ledger(), file)).toBe(false);
    expect(reportsSettlement(valid, undefined, ledger({ fixmedinsCode: 'H002' }), file)).toBe(false);
    expect(reportsSettlement(valid, undefined, ledger({ businessDate: '2026-11-22' }), file)).toBe(false);
    expect(reportsSettlement(checkRow(fields({ acct_pay: '' }), layout, file), undefined, ledger(), file)).toBe(false);
  });
});

describe('export cells', () => {
  const outcome: ReconOutcome = {
    businessDate: '2026-11-23', fixmedinsCode: 'H001', setlId: 'S1', code: 'AMOUNT_MISMATCH', fileAcctPay: 3000, fileAcctMulaidPay: -1250,
    ledgerAcctPay: 0, ledgerAcctMulaidPay: 5, file: 'H001_20261123.csv', row: 4, detail: 'acct_pay differs',
  };

  it('writes amounts as yuan with two decimals and the row number', () => {
    expect(exportCells(outcome)).toEqual(['2026-11-23', 'H001', 'S1', 'AMOUNT_MISMATCH', '30.00', '-12.50', '0.00', '0.05', 'H001_20261123.csv', '4', 'acct_pay differs']);
  });

  it('leaves a side empty where it has no amounts, and the row empty for MISSING_IN_FILE', () => {
    const missing = exportCells({ ...outcome, code: 'MISSING_IN_FILE', fileAcctPay: null, fileAcctMulaidPay: null, file: null, row: null });
    expect(missing.slice(4)).toEqual(['', '', '0.00', '0.05', '', '', 'acct_pay differs']);
  });

  it('makes cells that a spreadsheet would run as formulas inert, but leaves numbers alone', () => {
    expect(['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '-12.50', '7', 'S1'].map(spreadsheetSafe)).toEqual([
      `'=HYPERLINK("x")`, "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", '-12.50', '7', 'S1',
    ]);
  });
});
