import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRowsInThread } from '../../src/recon/threaded-rows.ts';
import { HEADER, row } from '../support/recon.ts';

const identity = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };
const dir = mkdtempSync(path.join(tmpdir(), 'pw-thread-'));
const openDescriptors = () => readdirSync('/proc/self/fd').length;

function writeFile(name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
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

  it('rejects a file whose header lacks a column, and a missing file, without rows', async () => {
    const file = writeFile('H002_20261123.csv', ['setl_id,psn_no', 'S1,P1']);
    expect(await openRowsInThread(file, identity)).toEqual({ rejected: expect.stringMatching(/missing required column/) });
    expect(await openRowsInThread(path.join(dir, 'absent.csv'), identity)).toEqual({ rejected: 'file not found' });
  });

  it('closes the file when the rows are left unread', async () => {
    const file = writeFile('H003_20261123.csv', [HEADER, ...Array.from({ length: 400_000 }, (_, i) => row({ setlId: `S${i}` }))]);
    const before = openDescriptors();
    for (let run = 0; run < 3; run++) {
      const opened = await openRowsInThread(file, identity);
      if ('rejected' in opened) throw new Error(opened.rejected);
      for await (const batch of opened.batches) if (batch.size > 0) break;
      await opened.close();
    }
    expect(openDescriptors()).toBe(before);
  });
});
