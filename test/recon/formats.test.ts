import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addInstitution, addSettlements, deliver, HEADER, newFolders, readCsv, reconcile, row } from '../support/recon.ts';

const db = await useTestDb('recon_formats');
const app = useTestApp(db.url);

beforeAll(async () => {
  await addInstitution(db.pool, 'H001');
});

/** Ledger settlements F{n}1..F{n}3 of 2026-11-{n} at H001: 1.00, 2.00 and 3.00 from the patient's own account. */
async function ledgerOfDay(n: number): Promise<string> {
  const date = `2026-11-${String(n).padStart(2, '0')}`;
  await addSettlements(db.pool, [1, 2, 3].map((i) => ({ setlId: `F${n}${i}`, setlTime: `${date} 1${i}:00:00`, acctPay: i * 100 })));
  return date;
}

const summary = (file: string) => readCsv(file).map((r) => `${r.code} ${r.setl_id}${r.row ? `@${r.row}` : ''}`);

describe('recon run: file formats', () => {
  it('reads UTF-8 with a BOM, CRLF line ends and quoted fields holding commas, quotes and line breaks', async () => {
    const date = await ledgerOfDay(10);
    const folders = newFolders();
    deliver(folders, 'H001_20261110.csv', [
      `\uFEFF${HEADER}`,
      `F101,"M,1\r\nsecond line",P1,H001,${date} 11:00:00,"100.00",1.00,0,0`,
      `"F102","say ""hi""",P1,H001,${date} 12:00:00,100,2,0.00,0`,
      row({ setlId: 'F103', setlTime: `${date} 13:00:00`, acctPay: '3' }),
    ].join('\r\n') + '\r\n');

    const result = await reconcile(app, folders, date);

    expect(result.files[0]).toMatchObject({ status: 'reconciled', rows: 3, counts: { MATCHED: 3 } });
    expect(summary(result.report)).toEqual([]);
  });

  it('reads GB18030 with Chinese header labels mixed with English names, in another column order', async () => {
    const date = await ledgerOfDay(11);
    const folders = newFolders();
    const text = [
      '退费结算标志,结算ID,就诊ID,psn_no,定点医药机构编号,结算时间,医疗费总额,个人账户支出,acct_mulaid_pay,备注',
      `0,F111,门诊一,P1,H001,${date} 11:00:00,100,1.00,0,张三的处方`,
      `0,F112,门诊二,P1,H001,${date} 12:00:00,100,2.5,0,`,
    ].join('\n');
    deliver(folders, 'H001_20261111.csv', iconv.encode(`${text}\n`, 'gb18030'));

    const result = await reconcile(app, folders, date);

    expect(summary(result.report)).toEqual(['AMOUNT_MISMATCH F112@2', 'MISSING_IN_FILE F113']);
  });

  it('reports a truncated last line as INVALID_ROW and reconciles the rows before it', async () => {
    const date = await ledgerOfDay(12);
    const folders = newFolders();
    deliver(folders, 'H001_20261112.csv', `${HEADER}\n${row({ setlId: 'F121', setlTime: `${date} 11:00:00`, acctPay: '1' })}\nF122,MF122,P1,H0`);
    const quoted = newFolders();
    deliver(quoted, 'H001_20261112.csv', `${HEADER}\n${row({ setlId: 'F121', setlTime: `${date} 11:00:00`, acctPay: '1' })}\nF122,"MF122,P1,H001`);

    const result = await reconcile(app, folders, date);
    expect(summary(result.report)).toEqual(['INVALID_ROW F122@2', 'MISSING_IN_FILE F122', 'MISSING_IN_FILE F123']);
    expect(readCsv(result.report)[0]!.detail).toBe('wrong column count: 4 fields, the header has 9');

    const unclosed = await reconcile(app, quoted, date);
    expect(summary(unclosed.report)).toEqual(['INVALID_ROW @2', 'MISSING_IN_FILE F122', 'MISSING_IN_FILE F123']);
  });

  it("reconciles a header-only file as reporting nothing: all the institution's settlements are MISSING_IN_FILE", async () => {
    const date = await ledgerOfDay(13);
    const folders = newFolders();
    deliver(folders, 'H001_20261113.csv', `${HEADER}\r\n`);

    const result = await reconcile(app, folders, date);

    expect(result.files).toEqual([{ file: 'H001_20261113.csv', status: 'reconciled', rows: 0, counts: expect.objectContaining({ MATCHED: 0 }) }]);
    expect(readCsv(result.report).map((r) => [r.code, r.setl_id, r.file, r.row])).toEqual([
      ['MISSING_IN_FILE', 'F131', 'H001_20261113.csv', ''], ['MISSING_IN_FILE', 'F132', 'H001_20261113.csv', ''], ['MISSING_IN_FILE', 'F133', 'H001_20261113.csv', ''],
    ]);
  });

  it('turns a row holding a 10 MB field into INVALID_ROW and still reconciles the rest of the file', async () => {
    const date = await ledgerOfDay(14);
    const folders = newFolders();
    deliver(folders, 'H001_20261114.csv', [
      HEADER,
      row({ setlId: 'F141', setlTime: `${date} 11:00:00`, acctPay: '1' }),
      `F142,"${'x'.repeat(10 * 1024 * 1024)}",P1,H001,${date} 12:00:00,2,2,0,0`,
      row({ setlId: 'F143', setlTime: `${date} 13:00:00`, acctPay: '3.01' }),
      row({ setlId: 'F144', setlTime: `${date} 13:00:00`, acctPay: '1' }),
    ]);

    const result = await reconcile(app, folders, date);

    expect(summary(result.report)).toEqual(['INVALID_ROW @2', 'AMOUNT_MISMATCH F143@3', 'MISSING_IN_LEDGER F144@4', 'MISSING_IN_FILE F142']);
    expect(readCsv(result.report)[0]!.detail).toMatch(/record longer than/);
  });

  it('writes cells a spreadsheet would run as formulas with a leading apostrophe, numbers untouched', async () => {
    const date = await ledgerOfDay(15);
    const folders = newFolders();
    const setlIds = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1:A9)', '-12345'];
    deliver(folders, 'H001_20261115.csv', [
      HEADER,
      ...setlIds.map((setlId) => `"${setlId.replaceAll('"', '""')}",M,P1,H001,${date} 11:00:00,1,1,0,0`),
      `F151,M,=cmd|' /C calc'!A0,H001,${date} 11:00:00,1,1,0,0`,
      `F152,M,P1,H001,${date} 11:00:00,-1,-1,0,1`,
    ]);

    const result = await reconcile(app, folders, date);

    const cells = readCsv(result.report);
    expect(cells.slice(0, 5).map((r) => r.setl_id)).toEqual([`'=HYPERLINK("http://x","y")`, "'+1+1", "'-2+3", "'@SUM(A1:A9)", '-12345']);
    expect(cells[5]).toMatchObject({ code: 'WRONG_PAYEE', setl_id: 'F151' });
    expect(cells[6]).toMatchObject({ code: 'AMOUNT_MISMATCH', setl_id: 'F152', file_acct_pay: '-1.00', ledger_acct_pay: '2.00' });
    const raw = readFileSync(result.report, 'utf8');
    expect(raw.split('\n').slice(1).every((line) => !/(^|,)"?[=+@]/.test(line))).toBe(true);
  });
});
