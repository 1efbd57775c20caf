import { describe, expect, it } from 'vitest';
import { checkDetailRow } from '../../src/domain/national-files.ts';
import { checkRow, judgeRow, RECON_COLUMNS, type RowCheck } from '../../src/domain/reconciliation.ts';
import { formatYuan } from '../../src/domain/money.ts';
import { DaySettlements } from '../../src/recon/engine/day-settlements.ts';
import { RowBatch, RowBatchBuilder } from '../../src/recon/engine/row-batch.ts';

const file = { fixmedinsCode: 'H001', businessDate: '2026-11-23' };
const layout = { columns: Object.fromEntries(RECON_COLUMNS.map((c, i) => [c, i])) as Record<(typeof RECON_COLUMNS)[number], number>, width: 9 };

/** A small deterministic generator: the same rows on every run. */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return { pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!, chance: (p: number) => next() < p };
}

const AMOUNTS = [0, 1, 99, 1234, 2 ** 31 - 1, 2 ** 31, 3_000_000_000, -(2 ** 31) + 1, -(2 ** 31)];

describe('the fast path agrees with judgeRow', () => {
  it('on generated CSV and 3202 rows against generated ledger settlements, row for row', () => {
    const g = generator(42);
    const day = new DaySettlements(file);
    const ledger = Array.from({ length: 400 }, (_, i) => {
      const amounts = [g.pick(AMOUNTS), g.pick(AMOUNTS), g.pick(AMOUNTS)] as const;
      const fund = g.chance(0.3) ? null : g.pick(AMOUNTS);
      return { setlId: `S${i}`, psnNo: g.pick(['P1', 'P2', '患者']), acctPay: amounts[0], acctMulaidPay: amounts[1], medfeeSumamt: amounts[2], fundPaySumamt: fund };
    });
    ledger.forEach((s, i) => day.add([s.setlId, i + 1, s.psnNo, s.acctPay, s.acctMulaidPay, s.medfeeSumamt, s.fundPaySumamt]));

    const amount = (fen: number) => formatYuan(Math.abs(fen));
    const vary = (fen: number) => (g.chance(0.2) ? amount(g.pick(AMOUNTS)) : amount(fen));
    const csv = new RowBatchBuilder();
    const national = new RowBatchBuilder(() => '');
    const checks: { batch: 'csv' | '3202'; check: RowCheck }[] = [];
    for (const s of ledger) {
      const psnNo = g.chance(0.1) ? 'P9' : s.psnNo;
      const csvCheck = checkRow([s.setlId, 'M', psnNo, 'H001', '2026-11-23 10:00:00', vary(s.medfeeSumamt), vary(s.acctPay), vary(s.acctMulaidPay), '0'], layout, file);
      csv.push(checks.length, csvCheck);
      checks.push({ batch: 'csv', check: csvCheck });
      const fund = s.fundPaySumamt === null ? amount(g.pick(AMOUNTS)) : vary(s.fundPaySumamt);
      const detailCheck = checkDetailRow([s.setlId, 'null', psnNo, vary(s.medfeeSumamt), fund, vary(s.acctPay), '0'], file);
      national.push(checks.length, detailCheck);
      checks.push({ batch: '3202', check: detailCheck });
    }
    const batches = { csv: new RowBatch(csv.build().data), '3202': new RowBatch(national.build().data) };
    const index = { csv: 0, '3202': 0 };
    let matched = 0;
    let differing = 0;
    for (const { batch: kind, check } of checks) {
      const batch = batches[kind];
      const i = index[kind]++;
      const { setlIdText, setlIdEnds, psnNoText, psnNoEnds, acctPay, acctMulaidPay, medfeeSumamt, fundPaySumamt } = batch.data;
      const e = day.find(setlIdText, batch.setlIdStart(i), setlIdEnds[i]!);
      expect(check.valid).toBe(true);
      const fast = day.matches(e, psnNoText, batch.psnNoStart(i), psnNoEnds[i]!, acctPay[i]!, acctMulaidPay[i]!, medfeeSumamt[i]!, fundPaySumamt[i]!);
      const judged = judgeRow(batch.check(i, file), undefined, day.settlement(e, batch.setlId(i), batch.psnNo(i))).code === 'MATCHED';
      expect(fast, `${kind} row ${i}`).toBe(judged);
      if (judged) matched++;
      else differing++;
    }
    // Both outcomes occur often enough for the comparison to mean something.
    expect(matched).toBeGreaterThan(100);
    expect(differing).toBeGreaterThan(100);
  });
});

describe('a batch of 3202 rows', () => {
  it('keeps each answer line byte for byte, however long and in whatever script, past the room first set aside', () => {
    const lines = [`S1\t${'长'.repeat(120_000)}\tP1\n`, 'S2\tM2\tP2\n', `S3\t${'x'.repeat(400_000)}\t患者\n`, 'S4\tnull\tP4\n'];
    const builder = new RowBatchBuilder((_fields, check) => lines[Number(check.valid ? check.row.setlId : check.setlId)]!);
    lines.forEach((_, i) => builder.push(i + 1, { valid: false, setlId: String(i), reasons: ['x'] }));
    const batch = new RowBatch(builder.build().data);
    expect(lines.map((_, i) => batch.answer(i))).toEqual(lines);
    expect(Buffer.from(batch.answers(1, 3)).toString('utf8')).toBe(lines[1]! + lines[2]!);
    expect(batch.answers(2, 2)).toHaveLength(0);
  });
});
