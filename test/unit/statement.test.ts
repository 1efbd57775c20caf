import { describe, expect, it } from 'vitest';
import { compareStatementRows, inPeriod, statementTotals, toStatementRow, type StatementEntry } from '../../src/domain/statement.ts';

const entry = (over: Partial<StatementEntry>): StatementEntry => ({
  time: '2026-11-23 10:00:00', direction: 'paid_for', source: 'medical', refund: false, balanceChange: -100,
  counterpartPsnNo: 'R1', relationship: 'child', fixmedinsCode: 'PH1', reference: 'S1', ...over,
});

describe('statement rows', () => {
  it('sign amounts from the person\'s side: paid_for is the balance change, paid_by the money received', () => {
    expect(toStatementRow(entry({ balanceChange: -8850 }))).toMatchObject({ kind: 'medical', amount: -8850 });
    expect(toStatementRow(entry({ refund: true, balanceChange: 8850 }))).toMatchObject({ kind: 'medical_refund', amount: 8850 });
    expect(toStatementRow(entry({ direction: 'paid_by', source: 'premium', balanceChange: -40000 }))).toMatchObject({ kind: 'premium', amount: 40000 });
    expect(toStatementRow(entry({ direction: 'paid_by', source: 'premium', refund: true, balanceChange: 40000 }))).toMatchObject({ kind: 'premium_refund', amount: -40000 });
    expect(Object.is(toStatementRow(entry({ direction: 'paid_by', balanceChange: 0 })).amount, 0)).toBe(true);
  });

  it('sort oldest first, then by reference in byte order, then direction, kind and counterpart', () => {
    const rows = [
      entry({ reference: 'S2' }), entry({ time: '2026-11-22 23:59:59', reference: 'S9' }), entry({ reference: 'S1', direction: 'paid_by', counterpartPsnNo: 'E2' }),
      entry({ reference: 'S1', direction: 'paid_by', counterpartPsnNo: 'E1' }), entry({ reference: 'S1' }),
    ].map(toStatementRow).sort(compareStatementRows);
    expect(rows.map((r) => `${r.reference} ${r.direction} ${r.counterpartPsnNo}`)).toEqual(['S9 paid_for R1', 'S1 paid_for R1', 'S1 paid_by E1', 'S1 paid_by E2', 'S2 paid_for R1']);
  });

  it('--to includes its whole day, --from starts at its midnight', () => {
    const period = { from: '2026-11-23', to: '2026-11-23' };
    expect(['2026-11-22 23:59:59', '2026-11-23 00:00:00', '2026-11-23 23:59:59', '2026-11-24 00:00:00'].map((t) => inPeriod(t, period))).toEqual([false, true, true, false]);
    expect(inPeriod('1999-01-01 00:00:00', { from: null, to: null })).toBe(true);
  });

  it('total per direction and kind, in a fixed order, only those that occur', () => {
    const rows = [entry({ balanceChange: -100 }), entry({ balanceChange: -250 }), entry({ refund: true, balanceChange: 100 }), entry({ direction: 'paid_by', source: 'premium', balanceChange: -40000 })].map(toStatementRow);
    expect(statementTotals(rows)).toEqual([
      { direction: 'paid_for', kind: 'medical', count: 2, amount: -350 },
      { direction: 'paid_for', kind: 'medical_refund', count: 1, amount: 100 },
      { direction: 'paid_by', kind: 'premium', count: 1, amount: 40000 },
    ]);
  });
});
