import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipEntry, type DetailSource } from '../../src/recon/national/detail-source.ts';
import { zipOf } from '../support/recon.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'zip-source-'));
const text = 'S1\tM1\tP1\t1.00\t0.50\t0.50\t0\n'.repeat(20_000);

async function source(bytes: Buffer): Promise<DetailSource> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.3202.zip`);
  writeFileSync(file, bytes);
  const opened = await zipEntry(file);
  if ('rejected' in opened) throw new Error(opened.rejected);
  return opened;
}

async function readAll(s: DetailSource, start = 0, end?: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await s.open(start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The zip with the uncompressed size its central directory declares for its one entry changed by `delta`. */
function declaring(zip: Buffer, delta: number): Buffer {
  const copy = Buffer.from(zip);
  const central = copy.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  copy.writeUInt32LE(copy.readUInt32LE(central + 24) + delta, central + 24);
  return copy;
}

describe('the text of a zipped 3202 file', () => {
  it('is inflated whole and in ranges, byte for byte', async () => {
    const s = await source(await zipOf({ 'H1_20261123.3202.txt': text }));
    expect(await readAll(s)).toBe(text);
    expect(await readAll(s, 1000, 250_000)).toBe(text.slice(1000, 250_000));
    await s.close();
  });

  it('fails to read when it inflates to more or fewer bytes than the zip declares', async () => {
    const zip = await zipOf({ 'H1_20261123.3202.txt': text });
    for (const [delta, message] of [[5, /inflates to \d+ bytes, the zip declares \d+/], [-5, /inflates to more than the \d+ bytes the zip declares/]] as const) {
      const s = await source(declaring(zip, delta));
      await expect(readAll(s)).rejects.toThrow(message);
      await s.close();
    }
  });
});
