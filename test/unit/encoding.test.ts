import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from '../../src/csv/encoding.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'encoding-'));
let n = 0;
function file(content: Buffer): string {
  const p = path.join(dir, `f${n++}.csv`);
  writeFileSync(p, content);
  return p;
}

/** The file is read a megabyte at a time: put a character of `width` bytes across that boundary at each offset. */
function acrossChunks(width: number): Buffer[] {
  const char = { 2: 'é', 3: '结', 4: '𠀋' }[width]!;
  return [1, 2, 3].filter((k) => k < width).map((k) => Buffer.concat([Buffer.alloc((1 << 20) - k, 'a'), Buffer.from(`${char}\n`)]));
}

describe('detectEncoding', () => {
  it('reads UTF-8 whose multi-byte characters straddle the chunks it is read in', async () => {
    for (const width of [2, 3, 4]) {
      for (const content of acrossChunks(width)) expect(await detectEncoding(file(content))).toBe('utf-8');
    }
  });

  it('does not take a file whose last UTF-8 character is cut off, or a stray byte mid-file, as UTF-8', async () => {
    const cut = Buffer.from('a,b\n1,结', 'utf8').subarray(0, -1);
    expect(await detectEncoding(file(cut))).not.toBe('utf-8');
    const stray = Buffer.concat([Buffer.alloc(1 << 20, 'a'), Buffer.from([0xff]), Buffer.from('b\n')]);
    expect(await detectEncoding(file(stray))).not.toBe('utf-8');
  });

  it('falls back to GB18030 for Chinese text in that encoding, also across chunks', async () => {
    expect(await detectEncoding(file(iconv.encode('人员编号,姓名\nP1,张三\n', 'gb18030')))).toBe('gb18030');
    const across = Buffer.concat([Buffer.alloc((1 << 20) - 1, 'a'), iconv.encode('张三\n', 'gb18030')]);
    expect(await detectEncoding(file(across))).toBe('gb18030');
  });

  it('an empty file is UTF-8', async () => {
    expect(await detectEncoding(file(Buffer.alloc(0)))).toBe('utf-8');
  });
});
