import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { FileFormat } from '../../src/domain/reconciliation.ts';
import { ByteRange, LineStartAfter } from '../../src/recon/engine/stream-split.ts';
import { openRowsInThread, THREAD_SHARE } from '../../src/recon/engine/threaded-rows.ts';
import { zipOf } from '../support/recon.ts';

const identity = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };
const dir = mkdtempSync(path.join(tmpdir(), 'pw-thread-3202-'));
const openDescriptors = () => readdirSync('/proc/self/fd').length;
let files = 0;

/** A 3202 line (without its line end) of row `i`; `width` pads mdtrt_id to that many bytes of UTF-8. */
function line(i: number, over: { psnNo?: string; acctPay?: string; fields?: number; width?: number } = {}): string {
  const cells = [`S${i}`, `M${i}`, over.psnNo ?? `P${i}`, '100.00', '60.00', over.acctPay ?? `${i % 30}.05`, '0'];
  if (over.fields === 6) cells.splice(4, 1);
  if (over.width !== undefined) cells[1] = cells[1]!.padEnd(cells[1]!.length + over.width - Buffer.byteLength(cells.join('\t')), '0');
  return cells.join('\t');
}

/** Writes `lines` as a 3202 file (or the one .txt inside a zip) and returns its path and format. */
async function write3202(lines: readonly string[], options: { crlf?: boolean; encoding?: 'utf-8' | 'gb18030'; bom?: boolean; zipped?: boolean } = {}) {
  const eol = options.crlf ? '\r\n' : '\n';
  const textOf = `${options.bom ? '\uFEFF' : ''}${lines.map((l) => `${l}${eol}`).join('')}`;
  const bytes = options.encoding === 'gb18030' ? iconv.encode(textOf, 'gb18030') : Buffer.from(textOf);
  const name = `H${String(++files).padStart(3, '0')}_20261123.3202`;
  const file = path.join(dir, `${name}.${options.zipped ? 'zip' : 'txt'}`);
  writeFileSync(file, options.zipped ? await zipOf({ [`${name}.txt`]: bytes }) : bytes);
  return { file, format: (options.zipped ? '3202.zip' : '3202.txt') as FileFormat, bytes: bytes.length };
}

/** Every row as `number setl_id psn_no acct_pay` (or `invalid number setl_id: reasons`) and its matched answer line, read with the given split size. */
async function readAll({ file, format }: { file: string; format: FileFormat }, splitBytes: number): Promise<{ split: boolean; rows: string[] }> {
  const opened = await openRowsInThread(file, identity, splitBytes, format);
  if ('rejected' in opened) throw new Error(opened.rejected);
  const rows: string[] = [];
  for await (const batch of opened.batches) {
    for (let i = 0; i < batch.size; i++) {
      const check = batch.check(i, identity);
      const read = check.valid
        ? `${batch.data.rows[i]} ${check.row.setlId} ${check.row.psnNo} ${check.row.acctPay}`
        : `invalid ${batch.data.rows[i]} ${check.setlId}: ${check.reasons.join()}`;
      rows.push(`${read} | ${batch.answer(i)}`);
    }
  }
  await opened.close();
  return { split: opened.split, rows };
}

/** Reads the file whole and split, and expects the same rows from both. */
async function readBothWays(file: { file: string; format: FileFormat }): Promise<string[]> {
  const whole = await readAll(file, Infinity);
  const split = await readAll(file, 0);
  expect(whole.split).toBe(false);
  expect(split.split).toBe(true);
  expect(split.rows).toEqual(whole.rows);
  return whole.rows;
}

/** 6,000 rows with blank lines, invalid rows and a stray quote, around the middle too. */
function mixedLines(): string[] {
  const lines = Array.from({ length: 6000 }, (_, i) => line(i, { psnNo: i % 3 ? `P${i}` : `患者${i}` }));
  for (const at of [2, 3899, 3903, 5999]) lines[at] = line(at, { acctPay: 'x' });
  // A 3202 file has no quoting: a quote is text, and does not keep the file from being split.
  lines[5] = line(5, { psnNo: '"P5' });
  for (const at of [5990, 3901, 3900, 3899, 3898, 10]) lines.splice(at, 0, '');
  return lines;
}

describe('reading a 3202 file in two parts at once', () => {
  it('reads a plain file exactly as one reader would: rows, numbers, checks, answers, whatever the encoding and line ends', async () => {
    for (const options of [{}, { bom: true, crlf: true }, { encoding: 'gb18030' as const, crlf: true }]) {
      const rows = await readBothWays(await write3202(mixedLines(), options));
      expect(rows).toHaveLength(6000);
      expect(rows.filter((r) => r.startsWith('invalid'))).toHaveLength(4);
      expect(rows[5]).toMatch(/^6 S5 "P5 505 \| S5\tM5\t"P5\t0\t0\tMATCHED\t100.00\t60.00\t5.05\n$/);
      expect(rows[3000]).toMatch(/^3001 S3000 患者3000 5 \| /);
      expect(rows.at(-1)).toMatch(/^invalid 6000 S5999: acct_pay "x" is not an amount \| /);
    }
  });

  it('reads a zipped file exactly as one reader would, GB18030 and CRLF too, and as the same text unzipped', async () => {
    const plain = await readAll(await write3202(mixedLines(), { encoding: 'gb18030', crlf: true }), Infinity);
    for (const options of [{ zipped: true }, { zipped: true, encoding: 'gb18030' as const, crlf: true }]) {
      const rows = await readBothWays(await write3202(mixedLines(), options));
      expect(rows).toEqual(plain.rows);
    }
  });

  it('keeps whole the line the boundary falls in, and numbers a malformed row right after it', async () => {
    const width = 200;
    const lines = Array.from({ length: 997 }, (_, i) => line(i, { width }));
    // Where the first part ends: after the line holding byte `from` (every line is width + 1 bytes).
    const from = Math.floor(lines.length * (width + 1) * THREAD_SHARE);
    const straddling = Math.floor(from / (width + 1));
    expect(from % (width + 1)).not.toBe(0);
    expect(from % (width + 1)).not.toBe(width);
    lines[straddling + 1] = line(straddling + 1, { fields: 6, width });
    for (const zipped of [false, true]) {
      const file = await write3202(lines, { zipped });
      expect(file.bytes).toBe(lines.length * (width + 1));
      const rows = await readBothWays(file);
      expect(rows).toHaveLength(997);
      expect(rows[straddling]).toMatch(new RegExp(`^${straddling + 1} S${straddling} P${straddling} \\d+ \\| S${straddling}\\tM${straddling}0+\\t`));
      expect(rows[straddling + 1]).toMatch(new RegExp(`^invalid ${straddling + 2} S${straddling + 1}: wrong field count: 6 tab-separated fields, 7 expected \\| `));
      expect(rows[straddling + 2]).toMatch(new RegExp(`^${straddling + 3} S${straddling + 2} `));
    }
  });

  it('reads whole a file whose first part holds no line, and rejects what one reader rejects', async () => {
    const late = ['', ' ', ...Array.from({ length: 1000 }, () => ''), line(1), line(2), line(3)];
    for (const zipped of [false, true]) {
      const file = await write3202(late, { zipped });
      const whole = await readAll(file, Infinity);
      const split = await readAll(file, 0);
      expect(split).toEqual({ split: false, rows: whole.rows });
      expect(whole.rows.map((r) => r.split(' |')[0])).toEqual(['1 S1 P1 105', '2 S2 P2 205', '3 S3 P3 305']);
    }
    const rejected = [
      [await write3202([line(1, { fields: 6 }), ...Array.from({ length: 100 }, (_, i) => line(i))]), /^first line has 6 tab-separated fields/],
      [await write3202([line(1, { fields: 6 }), ...Array.from({ length: 100 }, (_, i) => line(i))], { zipped: true }), /^first line has 6 tab-separated fields/],
      [await write3202(['', ...Array.from({ length: 100 }, () => ' ')], { zipped: true }), /^no line/],
    ] as const;
    for (const [{ file, format }, reason] of rejected) {
      for (const splitBytes of [Infinity, 0]) expect(await openRowsInThread(file, identity, splitBytes, format)).toEqual({ rejected: expect.stringMatching(reason) });
    }
    const twoTexts = path.join(dir, 'H900_20261123.3202.zip');
    writeFileSync(twoTexts, await zipOf({ 'a.txt': `${line(1)}\n`, 'b.txt': `${line(2)}\n` }));
    expect(await openRowsInThread(twoTexts, identity, 0, '3202.zip')).toEqual({ rejected: 'the zip holds 2 .txt files, exactly one expected' });
    const undecodable = path.join(dir, 'H901_20261123.3202.txt');
    writeFileSync(undecodable, Buffer.concat([Buffer.from(`${line(1)}\n`.repeat(50)), Buffer.from([0xff, 0x0a])]));
    expect(await openRowsInThread(undecodable, identity, 0, '3202.txt')).toEqual({ rejected: 'cannot be decoded as UTF-8 or GB18030' });
  });

  it('closes the file when the rows are left unread', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => line(i));
    for (const zipped of [false, true]) {
      const { file, format } = await write3202(lines, { zipped });
      const before = openDescriptors();
      // Left in the thread's part, then in the rest (read on this thread), of a file read whole and split.
      for (const [splitBytes, stopAfter] of [[Infinity, 1], [0, 1], [0, 40]] as const) {
        const opened = await openRowsInThread(file, identity, splitBytes, format);
        if ('rejected' in opened) throw new Error(opened.rejected);
        let taken = 0;
        for await (const batch of opened.batches) if (batch.size > 0 && ++taken === stopAfter) break;
        await opened.close();
        expect([zipped, splitBytes, stopAfter, openDescriptors()]).toEqual([zipped, splitBytes, stopAfter, before]);
      }
    }
  });
});

describe('splitting a text that can only be streamed from its start', () => {
  const textOf = 'ab\ncd\n\nefg\r\nh\n';
  /** The text in chunks of `size` bytes, through `transform`. */
  const through = <T extends NodeJS.ReadWriteStream>(size: number, transform: T) => {
    const chunks = Array.from({ length: Math.ceil(textOf.length / size) }, (_, i) => Buffer.from(textOf.slice(i * size, (i + 1) * size)));
    return Readable.from(chunks).pipe(transform);
  };

  it('finds the start of the first line at or past a byte, whatever the chunks, and none past the last line', async () => {
    for (let size = 1; size <= textOf.length; size++) {
      for (let from = 0; from < textOf.length; from++) {
        const finder = new LineStartAfter(from);
        expect(await text(through(size, finder))).toBe(textOf);
        const newline = textOf.indexOf('\n', from);
        expect([size, from, finder.lineStart]).toEqual([size, from, newline + 1 < textOf.length ? newline + 1 : null]);
      }
    }
  });

  it('passes only the bytes of a range, whatever the chunks', async () => {
    for (let size = 1; size <= textOf.length; size++) {
      for (let first = 0; first <= textOf.length; first++) {
        expect([size, first, await text(through(size, new ByteRange(first)))]).toEqual([size, first, textOf.slice(first)]);
        for (let until = first + 1; until <= textOf.length; until++) {
          expect([size, first, until, await text(through(size, new ByteRange(first, until)))]).toEqual([size, first, until, textOf.slice(first, until)]);
        }
      }
    }
  });
});
