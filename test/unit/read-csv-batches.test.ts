import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsv, type CsvRecord } from '../../src/csv/read-csv.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'csv-batches-'));

describe('openCsv batches', () => {
  it('yields every record in file order, row errors in their place, in batches of at most a thousand', async () => {
    const lines = ['a,b'];
    for (let i = 1; i <= 2500; i++) lines.push(i === 1200 ? `${i},"${'x'.repeat(2000)}"` : i === 1800 ? '   ' : `${i},v${i}`);
    lines.push('9999,"unterminated');
    const file = path.join(dir, 'many.csv');
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);

    const csv = await openCsv(file, { required: ['a', 'b'], maxRecordBytes: 1000 });
    const batches: CsvRecord[][] = [];
    for await (const batch of csv.batches) batches.push(batch);

    expect(batches.every((b) => b.length > 0 && b.length <= 1000)).toBe(true);
    const records = batches.flat();
    // 2500 lines less one blank line, plus the unterminated last record.
    expect(records.map((r) => r.row)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(records[0]).toEqual({ row: 1, fields: ['1', 'v1'] });
    expect(records[1199]!.error).toMatch(/longer than 1000/);
    expect(records[1799]).toEqual({ row: 1800, fields: ['1801', 'v1801'] });
    expect(records[2499]!.error).toBeDefined();
  });
});
