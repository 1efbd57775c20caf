import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '../../src/config/env.ts';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addInstitution, addSettlements, deliver, HEADER, newFolders, reconcile, row, type LedgerSpec } from '../support/recon.ts';

/**
 * A file's rows find their ledger settlements in one of two ways: the day's settlements read into
 * memory, or looked up batch by batch (a day above RECON_MAX_DAY_SETTLEMENTS). Both must give the
 * same report, to the byte.
 */
const db = await useTestDb('recon_ledger_paths');
const app = useTestApp(db.url);

const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

beforeAll(async () => {
  for (const code of ['H001', 'H002', 'H003']) await addInstitution(db.pool, code);
  // H001 holds most of the day, H002 one in thirty; H003 sends no file.
  const specs: LedgerSpec[] = [];
  for (let i = 1; i <= 6000; i++) {
    const code = i % 30 === 0 ? 'H002' : i % 97 === 0 ? 'H003' : 'H001';
    const acctPay = (i * 37) % 5000;
    const acctMulaidPay = i % 3 === 0 ? i % 900 : 0;
    // Every 61st a medfee_sumamt the file does not say.
    const medfee = acctPay + acctMulaidPay + (i % 61 === 0 ? 99 : 100);
    specs.push({ setlId: `S${String(i).padStart(6, '0')}`, code, psnNo: `P${i % 700}`, acctPay, acctMulaidPay, medfee });
  }
  // Settlements of the day before, and one paid to H002 that H001 reports.
  specs.push({ setlId: 'Y000001', setlTime: '2026-11-22 09:00:00', acctPay: 100 }, { setlId: 'Y000002', code: 'H002', acctPay: 200 });
  await addSettlements(db.pool, specs);
});

afterEach(() => {
  delete process.env.RECON_MAX_DAY_SETTLEMENTS;
  resetEnvCache();
});

/** Each institution's file: most rows right, and every kind of fault, in a shuffled order. */
function deliverFiles(folders: ReturnType<typeof newFolders>): void {
  for (const code of ['H001', 'H002']) {
    const lines: string[] = [];
    // k counts the institution's own settlements, so each fault occurs at both institutions.
    for (let i = 1, k = 0; i <= 6000; i++) {
      const own = (i % 30 === 0 ? 'H002' : i % 97 === 0 ? 'H003' : 'H001') === code;
      if (!own || ++k % 50 === 7) continue; // left out: MISSING_IN_FILE
      const setlId = `S${String(i).padStart(6, '0')}`;
      const acctPay = (i * 37) % 5000 + (k % 41 === 0 ? 1 : 0);
      const mulaid = i % 3 === 0 ? i % 900 : 0;
      const psnNo = k % 43 === 0 ? `P${i % 700}X` : `P${i % 700}`;
      const fields = { setlId, code, psnNo, acctPay: yuan(acctPay), acctMulaidPay: yuan(mulaid), medfee: yuan(acctPay + mulaid + 100) };
      lines.push(row(k % 47 === 0 ? { ...fields, acctPay: '1.234' } : fields));
      if (k % 53 === 0) lines.push(row(fields));
    }
    lines.push(row({ setlId: 'S999999', code }), row({ setlId: 'Y000001', code }), row({ setlId: 'Y000002', code }), row({ setlId: '', code }));
    const shuffled = lines.map((line, k) => ({ line, key: (k * 2_654_435_761) % 4_294_967_291 })).sort((a, b) => a.key - b.key).map((x) => x.line);
    deliver(folders, `${code}_20261123.csv`, [HEADER, ...shuffled]);
  }
}

async function reportWith(maxInMemory: number | null): Promise<{ report: string; counts: string }> {
  await db.pool.query('DELETE FROM recon_outcomes');
  await db.pool.query('DELETE FROM recon_latest_files');
  await db.pool.query('DELETE FROM recon_files');
  await db.pool.query('DELETE FROM recon_days');
  if (maxInMemory !== null) process.env.RECON_MAX_DAY_SETTLEMENTS = String(maxInMemory);
  resetEnvCache();
  const folders = newFolders();
  deliverFiles(folders);
  const result = await reconcile(app, folders);
  return { report: readFileSync(result.report, 'utf8'), counts: readFileSync(result.countsFile, 'utf8') };
}

describe('recon: the ledger read in memory or looked up in batches', () => {
  it('gives the same report and counts whichever way the ledger is read', async () => {
    const inMemory = await reportWith(null);
    const batched = await reportWith(0);
    expect(batched.report).toBe(inMemory.report);
    expect(batched.counts).toBe(inMemory.counts);
    // H002 (about 200 settlements) in memory, H001 (about 5,700) found over the limit while being read.
    const mixed = await reportWith(1000);
    expect(mixed.report).toBe(inMemory.report);
    expect(mixed.counts).toBe(inMemory.counts);

    // And the report is not trivially equal: every code is there.
    const rows = parse(inMemory.counts, { columns: true }) as Record<string, string>[];
    const counts = Object.fromEntries(rows.map((r) => [r.fixmedins_code!, r]));
    for (const code of ['H001', 'H002']) {
      for (const name of ['MATCHED', 'AMOUNT_MISMATCH', 'WRONG_PAYEE', 'MISSING_IN_LEDGER', 'MISSING_IN_FILE', 'DUPLICATE_ROW', 'INVALID_ROW']) {
        expect(Number(counts[code]![name]), `${code} ${name}`).toBeGreaterThan(0);
      }
    }
    expect(Number(counts.H001!.MATCHED)).toBeGreaterThan(5000);
    // H003 sent nothing: all 59 of its settlements are missing.
    expect(counts.H003!.MISSING_IN_FILE).toBe('59');
  });
});
