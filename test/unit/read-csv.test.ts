import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvFileError, openCsv, type CsvRecord } from '../../src/csv/read-csv.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'csv-'));
let n = 0;
function file(content: string | Buffer): string {
  const p = path.join(dir, `f${n++}.csv`);
  writeFileSync(p, content);
  return p;
}
async function all(records: AsyncIterable<CsvRecord>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

describe('openCsv', () => {
  it('maps columns by header name in any order and trims fields', async () => {
    const csv = await openCsv(file('b,a,extra\n 2 ,1,x\n'), { required: ['a', 'b'] });
    expect(csv.columns).toEqual({ a: 1, b: 0 });
    expect(await all(csv.records)).toEqual([{ row: 1, fields: ['2', '1', 'x'] }]);
  });

  it('reads UTF-8 with BOM and CRLF, quoted commas and newlines, and skips blank lines', async () => {
    const csv = await openCsv(file('\uFEFFa,b\r\n"x,y","line1\r\nline2"\r\n\r\n   \r\n3,4\r\n'), { required: ['a', 'b'] });
    expect(csv.encoding).toBe('utf-8');
    expect(await all(csv.records)).toEqual([
      { row: 1, fields: ['x,y', 'line1\r\nline2'] },
      { row: 2, fields: ['3', '4'] },
    ]);
  });

  it('decodes GB18030 files with Chinese header and data', async () => {
    const csv = await openCsv(file(iconv.encode('人员编号,姓名\nP1,张三\n', 'gb18030')), { required: ['psn_no'], aliases: { psn_no: ['人员编号'] } });
    expect(csv.encoding).toBe('gb18030');
    expect(await all(csv.records)).toEqual([{ row: 1, fields: ['P1', '张三'] }]);
  });

  it('turns an oversized cell into a row error and keeps reading the rows after it', async () => {
    const big = 'x'.repeat(300_000);
    const csv = await openCsv(file(`a,b\n1,2\n3,"${big}"\n5,6\n`), { required: ['a', 'b'], maxRecordBytes: 1000 });
    const records = await all(csv.records);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(records[1]!.error).toMatch(/longer than 1000/);
    expect(records[2]).toEqual({ row: 3, fields: ['5', '6'] });
  });

  it('reports a truncated last line (unclosed quote) as a row error', async () => {
    const csv = await openCsv(file('a,b\n1,2\n3,"unfinished'), { required: ['a', 'b'] });
    const records = await all(csv.records);
    expect(records[0]).toEqual({ row: 1, fields: ['1', '2'] });
    expect(records[1]!.row).toBe(2);
    expect(records[1]!.error).toBeDefined();
  });

  it.each([
    ['missing required column', 'a\n1\n', /missing required column b/],
    ['no header', '', /no header/],
    ['undecodable bytes', Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xff, 0xff, 0x0a]), /cannot be decoded/],
  ])('rejects a file with %s', async (_name, content, reason) => {
    await expect(openCsv(file(content), { required: ['a', 'b'] })).rejects.toThrow(reason);
  });

  it('rejects a missing file with a CsvFileError', async () => {
    await expect(openCsv(path.join(dir, 'nope.csv'), { required: ['a'] })).rejects.toBeInstanceOf(CsvFileError);
  });
});
