import { describe, expect, it } from 'vitest';
import type { Binding, Person } from '../../src/domain/eligibility.ts';
import { allocateSettlement, refundOf } from '../../src/domain/settlement.ts';

let nextId = 1;
const person = (psnNo: string, over: Partial<Person> = {}): Person => ({ id: nextId++, psnNo, insutype: '310', admdvs: '510104', status: 'active', ...over });
const binding = (payer: Person, payerBalance: number | null, over: Partial<Binding> = {}): Binding => ({
  payer, payerBalance, relationship: 'parent', priority: 1, boundAt: '2020-01-01 00:00:00', revokedAt: null, ...over,
});
const at = '2026-11-23 10:00:00';

describe('allocateSettlement', () => {
  it('takes the personal burden from the patient own account first', () => {
    const patient = person('PAT');
    const parent = person('PAR');
    const result = allocateSettlement({ patient, ownBalance: 10_000, bindings: [binding(parent, 50_000)], personalBurden: 8_000, at });
    expect(result).toEqual({ acctPay: 8_000, acctMulaidPay: 0, cashPay: 0, debits: [{ personId: patient.id, amount: 8_000 }] });
  });

  it('continues with payers in deduction order, each up to its balance, and leaves the rest as cash', () => {
    const patient = person('PAT');
    const second = person('B2');
    const first = person('B1');
    const third = person('B3');
    const result = allocateSettlement({
      patient,
      ownBalance: 1_000,
      bindings: [binding(second, 2_000, { priority: 2 }), binding(third, 500, { priority: 3 }), binding(first, 3_000, { priority: 1 })],
      personalBurden: 10_000,
      at,
    });
    expect(result.acctPay).toBe(1_000);
    expect(result.acctMulaidPay).toBe(5_500);
    expect(result.cashPay).toBe(3_500);
    expect(result.debits).toEqual([
      { personId: patient.id, amount: 1_000 },
      { personId: first.id, amount: 3_000 },
      { personId: second.id, amount: 2_000 },
      { personId: third.id, amount: 500 },
    ]);
  });

  it('breaks priority ties by earlier bound_at, then by smaller payer psn_no', () => {
    const patient = person('PAT', { insutype: '390' });
    const late = person('A1');
    const earlyB = person('B9');
    const earlyA = person('B1');
    const result = allocateSettlement({
      patient,
      ownBalance: null,
      bindings: [binding(late, 100, { boundAt: '2021-01-01 00:00:00' }), binding(earlyB, 100), binding(earlyA, 100)],
      personalBurden: 250,
      at,
    });
    expect(result.debits.map((d) => d.personId)).toEqual([earlyA.id, earlyB.id, late.id]);
    expect(result.debits.at(-1)!.amount).toBe(50);
  });

  it('does not use the own account of a resident, an inactive patient or a patient without account', () => {
    const payer = person('PAY');
    expect(allocateSettlement({ patient: person('R', { insutype: '390' }), ownBalance: 9_999, bindings: [binding(payer, 100)], personalBurden: 300, at }))
      .toMatchObject({ acctPay: 0, acctMulaidPay: 100, cashPay: 200 });
    expect(allocateSettlement({ patient: person('E'), ownBalance: null, bindings: [], personalBurden: 300, at }))
      .toEqual({ acctPay: 0, acctMulaidPay: 0, cashPay: 300, debits: [] });
  });

  it('pays nothing from any account for a patient who is not active', () => {
    const payer = person('PAY');
    const result = allocateSettlement({ patient: person('S', { status: 'suspended' }), ownBalance: 9_999, bindings: [binding(payer, 9_999)], personalBurden: 300, at });
    expect(result).toEqual({ acctPay: 0, acctMulaidPay: 0, cashPay: 300, debits: [] });
  });

  it('skips payers that fail a rule at the settlement time and payers with an empty account', () => {
    const patient = person('PAT', { insutype: '390' });
    const bindings = [
      binding(person('OTHER'), 1_000, { relationship: 'other' }),
      binding(person('FAR', { admdvs: '110101' }), 1_000),
      binding(person('LATE'), 1_000, { boundAt: '2026-11-23 10:00:01' }),
      binding(person('GONE'), 1_000, { revokedAt: at }),
      binding(person('RES', { insutype: '390' }), 1_000),
      binding(person('NOACCT'), null),
      binding(person('EMPTY'), 0),
      binding(person('OK'), 1_000, { priority: 9 }),
    ];
    const result = allocateSettlement({ patient, ownBalance: null, bindings, personalBurden: 700, at });
    expect(result.debits).toEqual([{ personId: bindings[7]!.payer.id, amount: 700 }]);
  });

  it('moves no money for a zero personal burden', () => {
    expect(allocateSettlement({ patient: person('P'), ownBalance: 500, bindings: [], personalBurden: 0, at }))
      .toEqual({ acctPay: 0, acctMulaidPay: 0, cashPay: 0, debits: [] });
  });
});

describe('refundOf', () => {
  it('gives back exactly the original debits and negates the stored amounts', () => {
    const refund = refundOf({ acctPay: 300, acctMulaidPay: 0, cashPay: 50, debits: [{ personId: 7, amount: 300 }] });
    expect(refund).toEqual({ acctPay: -300, acctMulaidPay: 0, cashPay: -50, credits: [{ personId: 7, amount: 300 }] });
    expect(Object.is(refund.acctMulaidPay, 0)).toBe(true);
  });
});
