import { describe, expect, it } from 'vitest';
import { judgeRow } from '../../src/domain/reconciliation.ts';
import { DaySettlements } from '../../src/recon/engine/day-settlements.ts';
import { PackedIdSet } from '../../src/recon/engine/packed-ids.ts';

const file = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };

describe('DaySettlements', () => {
  it('finds every settlement by setl_id exactly, in ledger order or any other, non-ASCII keys and patients included', () => {
    const keys = [...Array.from({ length: 5000 }, (_, i) => `S${String(i).padStart(8, '0')}`), '结算1', 'x'.repeat(300), 'S00000001 ', 's00000001'];
    const day = new DaySettlements(file);
    keys.forEach((setlId, i) => day.add([setlId, 1000 + i, i % 7 === 0 ? `患者${i}` : `P${i}`, i * 10, i % 3]));
    expect(day.size).toBe(keys.length);
    const shuffled = keys.map((key, i) => ({ key, i, sort: (i * 2_654_435_761) % 4_294_967_291 })).sort((a, b) => a.sort - b.sort);
    for (const order of [keys.map((key, i) => ({ key, i })), shuffled]) {
      for (const { key, i } of order) {
        const e = day.find(key);
        // As a batch holds them: one value among others in a longer string.
        expect(day.find(`S0${key}结`, 2, 2 + key.length)).toBe(e);
        const psnNo = i % 7 === 0 ? `患者${i}` : `P${i}`;
        expect(day.settlement(e, key, 'someone else')).toEqual({ ...file, id: 1000 + i, setlId: key, psnNo, acctPay: i * 10, acctMulaidPay: i % 3 });
        expect(day.matches(e, psnNo, 0, psnNo.length, i * 10, i % 3)).toBe(true);
        expect(day.matches(e, `P${psnNo}P1`, 1, 1 + psnNo.length, i * 10, i % 3)).toBe(true);
        expect(day.matches(e, `${psnNo}X`, 0, psnNo.length + 1, i * 10, i % 3)).toBe(false);
        expect(day.matches(e, `${psnNo}X`, 0, psnNo.length - 1, i * 10, i % 3)).toBe(false);
        expect(day.matches(e, psnNo, 0, psnNo.length, i * 10 + 1, i % 3)).toBe(false);
      }
    }
    for (const absent of ['S99999999', 'S0000000', '结算2', '', 'x'.repeat(299)]) expect(day.find(absent)).toBe(-1);
    expect(day.find('S00000001', 0, 8)).toBe(-1);
    expect(day.find('S000000012', 0, 9)).toBe(day.find('S00000001'));
    expect(day.find('a结算1', 1, 4)).toBe(day.find('结算1'));
  });

  it('keeps amounts beyond 32 bits, negative ones and the edge values exact', () => {
    const amounts = [[3_000_000_000, 0], [0, 2 ** 31], [-(2 ** 31), 5], [2 ** 31 - 1, -(2 ** 31) + 1], [-120, -3], [2 ** 40 + 1, 2 ** 40]];
    const day = new DaySettlements(file);
    amounts.forEach(([acctPay, acctMulaidPay], i) => day.add([`S${i}`, i + 1, 'P1', acctPay!, acctMulaidPay!]));
    amounts.forEach(([acctPay, acctMulaidPay], i) => {
      const e = day.find(`S${i}`);
      expect(day.settlement(e, `S${i}`, 'P1')).toMatchObject({ acctPay, acctMulaidPay });
      expect(day.matches(e, 'P1', 0, 2, acctPay!, acctMulaidPay!)).toBe(true);
      expect(day.matches(e, 'P1', 0, 2, acctPay! + 1, acctMulaidPay!)).toBe(false);
      expect(day.matches(e, 'P1', 0, 2, acctPay!, acctMulaidPay! - 1)).toBe(false);
      // What the other entries hold (LARGE in particular) never matches by accident.
      expect(day.matches(e, 'P1', 0, 2, -(2 ** 31), -(2 ** 31))).toBe(false);
    });
  });

  it('lists as unreported exactly the settlements no row was recorded against', () => {
    const day = new DaySettlements(file);
    for (let i = 1; i <= 6; i++) day.add([`S${i}`, i, 'P1', 0, 0]);
    expect(day.firstRowOf(day.find('S2'), 10)).toBeUndefined();
    expect(day.firstRowOf(day.find('S2'), 11)).toBe(10);
    expect(day.firstRowOf(day.find('S5'), 12)).toBeUndefined();
    expect(PackedIdSet.decode(day.unreportedIds().encode()).toArray()).toEqual([1, 3, 4, 6]);
  });

  it("decides MATCHED exactly as the domain's judgeRow does, row for row (the fast path of reconcile-file)", () => {
    const day = new DaySettlements(file);
    const patients = ['P1', 'P2', '患者1', 'p1', 'P1 ', 'x'.repeat(300)];
    const amounts = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 3_000_000_000, 12_345];
    const ledger = [];
    for (let i = 0; i < 400; i++) {
      const entry = { setlId: `S${i}`, id: i + 1, psnNo: patients[i % patients.length]!, acctPay: amounts[i % amounts.length]!, acctMulaidPay: amounts[(i * 3) % amounts.length]! };
      day.add([entry.setlId, entry.id, entry.psnNo, entry.acctPay, entry.acctMulaidPay]);
      ledger.push(entry);
    }
    let matched = 0;
    // Every settlement against rows that differ from it in nothing, the patient, either amount, or several.
    for (const entry of ledger) {
      for (let variant = 0; variant < 12; variant++) {
        const psnNo = variant & 1 ? patients[(variant + entry.id) % patients.length]! : entry.psnNo;
        const acctPay = variant & 2 ? amounts[(variant + entry.id) % amounts.length]! : entry.acctPay;
        const acctMulaidPay = variant & 4 ? amounts[(variant * 5 + entry.id) % amounts.length]! : entry.acctMulaidPay;
        const row = { setlId: entry.setlId, psnNo, fixmedinsCode: file.fixmedinsCode, acctPay, acctMulaidPay };
        const e = day.find(row.setlId);
        const judged = judgeRow({ valid: true, row }, undefined, day.settlement(e, row.setlId, row.psnNo));
        const fast = day.matches(e, `#${psnNo}#`, 1, 1 + psnNo.length, acctPay, acctMulaidPay);
        expect(fast, `${entry.setlId} variant ${variant}`).toBe(judged.code === 'MATCHED');
        if (fast) matched++;
      }
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(matched).toBeGreaterThan(400);
    expect(matched).toBeLessThan(400 * 12 - 1000);
  });
});
