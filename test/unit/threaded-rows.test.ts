import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openRowsInThread } from '../../src/recon/engine/threaded-rows.ts';
import { HEADER, row } from '../support/recon.ts';

const identity = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };
const dir = mkdtempSync(path.join(tmpdir(), 'pw-thread-'));
const openDescriptors = () => readdirSync('/proc/self/fd').length;

function writeFile(name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Every row as `number setl_id psn_no acct_pay` (or `invalid: reasons`), read with the given split size. */
async function readAll(file: string, splitBytes: number): Promise<{ split: boolean; rows: string[] }> {
  const opened = await openRowsInThread(file, identity, splitBytes);
  if ('rejected' in opened) throw new Error(opened.rejected);
  const rows: string[] = [];
  for await (const batch of opened.batches) {
    for (let i = 0; i < batch.size; i++) {
      const check = batch.check(i, identity);
      rows.push(check.valid
        ? `${batch.data.rows[i]} ${check.row.setlId} ${check.row.psnNo} ${check.row.acctPay}`
        : `invalid ${batch.data.rows[i]} ${check.setlId}: ${check.reasons.join()}`);
    }
  }
  await opened.close();
  return { split: opened.split, rows };
}

describe('reading a reconciliation file on its own thread', () => {
  it('hands over every row in file order with its check, values cut exactly out of each batch', async () => {
    const lines = Array.from({ length: 9001 }, (_, i) => row({ setlId: `S${i}`, psnNo: i % 2 ? `P${i}` : `患者${i}`, acctPay: `${i}.05` }));
    lines[4000] = row({ setlId: 'S4000', acctPay: '1.234' });
    const file = writeFile('H001_20261123.csv', [HEADER, ...lines]);
    const opened = await openRowsInThread(file, identity);
    if ('rejected' in opened) throw new Error(opened.rejected);
    const seen: [number, string, string, number][] = [];
    let invalid = '';
    for await (const batch of opened.batches) {
      for (let i = 0; i < batch.size; i++) {
        const check = batch.check(i, identity);
        if (check.valid) seen.push([batch.data.rows[i]!, check.row.setlId, check.row.psnNo, check.row.acctPay]);
        else invalid = `${batch.data.rows[i]} ${batch.setlId(i)} ${check.reasons.join()}`;
      }
    }
    await opened.close();
    expect(seen).toHaveLength(9000);
    expect(seen[0]).toEqual([1, 'S0', '患者0', 5]);
    expect(seen[8999]).toEqual([9001, 'S9000', '患者9000', 900005]);
    expect(seen.map(([r]) => r)).toEqual([...Array.from({ length: 4000 }, (_, i) => i + 1), ...Array.from({ length: 5000 }, (_, i) => i + 4002)]);
    expect(invalid).toMatch(/^4001 S4000 .*acct_pay/);
  });

  it('reads a file in two parts at once exactly as one reader would: rows, numbers, checks, whatever the encoding and line ends', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => row({ setlId: `S${i}`, psnNo: i % 3 ? `P${i}` : `患者${i}`, acctPay: `${i}.05` }));
    // Blank lines and invalid rows, around the middle too.
    for (const at of [2, 2999, 3003, 5999]) lines[at] = row({ setlId: `S${at}`, acctPay: 'x' });
    for (const at of [5990, 3001, 3000, 2999, 2998, 10]) lines.splice(at, 0, '');
    const variants = [
      { name: 'H101_20261123.csv', text: `${[HEADER, ...lines].join('\n')}\n`, encoding: 'utf-8' as const },
      { name: 'H102_20261123.csv', text: `\uFEFF${[HEADER, ...lines].join('\r\n')}`, encoding: 'utf-8' as const },
      { name: 'H103_20261123.csv', text: `${[HEADER, ...lines].join('\r\n')}\r\n`, encoding: 'gb18030' as const },
    ];
    for (const { name, text, encoding } of variants) {
      const file = path.join(dir, name);
      writeFileSync(file, encoding === 'utf-8' ? text : iconv.encode(text, 'gb18030'));
      const whole = await readAll(file, Infinity);
      const split = await readAll(file, 0);
      expect(whole.split).toBe(false);
      expect(split.split).toBe(true);
      expect(split.rows).toEqual(whole.rows);
      expect(whole.rows).toHaveLength(6000);
      expect(whole.rows.filter((r) => r.startsWith('invalid'))).toHaveLength(4);
      expect(whole.rows.at(-1)).toMatch(/^invalid 6000 S5999: /);
      expect(whole.rows[2998]).toMatch(/^2999 S2998 P2998 299805$/);
      expect(whole.rows[2999]).toMatch(/^invalid 3000 S2999: /);
    }
  });

  it('reads a file whole when a quote comes before its middle: a quoted field may hold a line break', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => row({ setlId: `S${i}` }));
    // A quoted setl_id spanning the middle line, and one harmless quote early on.
    lines[5] = lines[5]!.replace('S5', '"S""5"');
    lines[1499] = lines[1499]!.replace('S1499', '"S1499\n,,,"');
    const file = writeFile('H104_20261123.csv', [HEADER, ...lines]);
    const whole = await readAll(file, Infinity);
    const split = await readAll(file, 0);
    expect(split.split).toBe(false);
    expect(split.rows).toEqual(whole.rows);
    expect(whole.rows[5]).toMatch(/^6 S"5 /);
    expect(whole.rows[1499]).toMatch(/1500 S1499\n,,,/);
  });

  it('reads whole a file whose header lies past its middle, as one reader would', async () => {
    const file = writeFile('H105_20261123.csv', [...Array.from({ length: 2000 }, () => ''), HEADER, row({ setlId: 'S1' }), row({ setlId: 'S2' })]);
    const whole = await readAll(file, Infinity);
    expect(await readAll(file, 0)).toEqual({ split: false, rows: whole.rows });
    expect(whole.rows).toEqual(['1 S1 P1 0', '2 S2 P1 0']);
  });

  it('rejects a file whose header lacks a column, and a missing file, without rows', async () => {
    const file = writeFile('H002_20261123.csv', ['setl_id,psn_no', 'S1,P1']);
    expect(await openRowsInThread(file, identity)).toEqual({ rejected: expect.stringMatching(/missing required column/) });
    expect(await openRowsInThread(path.join(dir, 'absent.csv'), identity)).toEqual({ rejected: 'file not found' });
  });

  it('closes the file when the rows are left unread', async () => {
    const file = writeFile('H003_20261123.csv', [HEADER, ...Array.from({ length: 400_000 }, (_, i) => row({ setlId: `S${i}` }))]);
    const before = openDescriptors();
    // Left in the thread's part, then in the rest (read on this thread), of a file read whole and split.
    for (const [splitBytes, stopAfter] of [[Infinity, 1], [0, 1], [0, 90]] as const) {
      const opened = await openRowsInThread(file, identity, splitBytes);
      if ('rejected' in opened) throw new Error(opened.rejected);
      let taken = 0;
      for await (const batch of opened.batches) if (batch.size > 0 && ++taken === stopAfter) break;
      await opened.close();
      expect(openDescriptors()).toBe(before);
    }
    expect(openDescriptors()).toBe(before);
  });
});
