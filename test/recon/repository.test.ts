import { describe, expect, it } from 'vitest';
import {
  countsOfDay, findLedgerSettlements, insertOutcomes, institutionExists, ledgerCountsOfDay, streamDaySettlements,
} from '../../src/recon/recon.repository.ts';
import { useTestDb } from '../support/db.ts';
import { addInstitution, addSettlements } from '../support/recon.ts';

const db = await useTestDb('recon_repository');
const pool = db.pool;
const file = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };

describe('recon repository', () => {
  it("reads the ledger's settlements by setl_id wherever they were paid, and a day of one institution in setl_id order", async () => {
    await addInstitution(pool, 'H001');
    expect(await institutionExists(pool, 'H001')).toBe(true);
    expect(await institutionExists(pool, 'H999')).toBe(false);
    await addSettlements(pool, [
      { setlId: 'S3', acctPay: 300 }, { setlId: 'S1', psnNo: 'P9', acctPay: 100, acctMulaidPay: 5 }, { setlId: 'S2', code: 'H002' },
      { setlId: 'S0', setlTime: '2026-11-22 23:59:59' },
    ]);
    const ledger = await findLedgerSettlements(pool, ['S1', 'S2', 'S0', 'S1 ', 'NONE'], file);
    expect(ledger.get('S1')).toMatchObject({ psnNo: 'P9', acctPay: 100, acctMulaidPay: 5, fixmedinsCode: 'H001', businessDate: '2026-11-23' });
    expect(ledger.get('S2')).toMatchObject({ fixmedinsCode: 'H002', businessDate: '2026-11-23' });
    expect(ledger.get('S0')).toMatchObject({ fixmedinsCode: 'H001', businessDate: '2026-11-22' });
    // PAD SPACE collation must not make 'S1 ' the same key as 'S1'.
    expect(ledger.get('S1 ')).toBeUndefined();
    expect(ledger.get('NONE')).toBeUndefined();

    const day: string[] = [];
    expect(await streamDaySettlements(pool, file, 10, ([setlId]) => day.push(setlId))).toBe(2);
    expect(day).toEqual(['S1', 'S3']);
    expect([...(await ledgerCountsOfDay(pool, '2026-11-23'))].sort()).toEqual([['H001', 2], ['H002', 1]]);
  });

  it("counts the day's MISSING_IN_FILE outcomes per institution", async () => {
    const outcome = {
      businessDate: '2026-11-23', fixmedinsCode: 'H001', fileId: null, rowNo: null, setlId: 'S9', code: 'MISSING_IN_FILE' as const,
      fileAcctPay: null, fileAcctMulaidPay: null, settlementId: 1, ledgerAcctPay: 100, ledgerAcctMulaidPay: 0, detail: 'no file',
    };
    await insertOutcomes(pool, [outcome, { ...outcome, setlId: 'S8', settlementId: 2 }]);
    const counts = await countsOfDay(pool, '2026-11-23');
    expect(counts.map((c) => [c.fixmedinsCode, c.counts.MISSING_IN_FILE, c.counts.MATCHED])).toEqual([['H001', 2, 0]]);
  });
});
