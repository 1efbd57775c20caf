import { describe, expect, it } from 'vitest';
import { settlementsImport } from '../../src/imports/settlements.import.ts';
import { useTestDb } from '../support/db.ts';
import {
  balanceByPsnNo, bindingRow, importFile, institutionRow, ledgerMismatches, personRow, query, seed, settlementRow, tableCounts, writeImportFile,
  type CsvRow,
} from '../support/import-files.ts';

const db = await useTestDb('import_settlements');

await seed(db, 'institutions', [
  institutionRow('PH01'), institutionRow('HO02', { type: 'hospital' }), institutionRow('UNDESIG', { designated: 'false' }),
]);

/**
 * One family per test, under its own psn_no prefix: `accounts` maps a member to a balance in yuan
 * (an employee with an account), `residents` are 390 without account, `bindings` are [payer, beneficiary, overrides].
 */
async function family(prefix: string, spec: { accounts?: Record<string, string>; residents?: string[]; persons?: CsvRow[]; bindings?: [string, string, CsvRow?][] }) {
  const name = (member: string) => `${prefix}${member}`;
  const persons = [
    ...Object.keys(spec.accounts ?? {}).map((m) => personRow(name(m))),
    ...(spec.residents ?? []).map((m) => personRow(name(m), { insutype: '390' })),
    ...(spec.persons ?? []).map((p) => ({ ...p, psn_no: name(String(p.psn_no)) })),
  ];
  await seed(db, 'persons', persons.map((p) => personRow(String(p.psn_no), p)));
  if (spec.accounts) await seed(db, 'accounts', Object.entries(spec.accounts).map(([m, balance]) => ({ psn_no: name(m), balance })));
  if (spec.bindings) await seed(db, 'bindings', spec.bindings.map(([payer, beneficiary, over]) => bindingRow(name(payer), name(beneficiary), over)));
  return name;
}

const settle = (rows: CsvRow[]) => importFile(db, 'settlements', writeImportFile('settlements.csv', rows));
const stored = async (setlId: string) =>
  (await query(db.pool, 'SELECT id, person_id, psn_no, business_date, personal_burden, acct_pay, acct_mulaid_pay, cash_pay, orig_settlement_id FROM settlements WHERE setl_id = ?', [setlId]))[0];
const movements = (setlId: string) =>
  query(
    db.pool,
    `SELECT p.psn_no, l.kind, l.amount, l.idem_key FROM ledger_entries l JOIN settlements s ON s.id = l.settlement_id JOIN persons p ON p.id = l.account_id
      WHERE s.setl_id = ? ORDER BY l.id`,
    [setlId],
  );
const balance = (psnNo: string) => balanceByPsnNo(db.pool, psnNo);
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('import settlements', () => {
  it('pays from the patient own account first and keys the debit by settlement and account', async () => {
    const m = await family('A', { accounts: { PAT: '100.00', PAR: '500.00' }, bindings: [['PAR', 'PAT']] });
    const summary = await settle([settlementRow('A-S1', m('PAT'), 'PH01', '30.55', { setl_time: '2026-11-23 23:59:59' })]);
    expect(summary).toMatchObject({ read: 1, imported: 1, rejected: 0 });
    const s = (await stored('A-S1'))!;
    expect(s).toMatchObject({ business_date: '2026-11-23', personal_burden: 3_055, acct_pay: 3_055, acct_mulaid_pay: 0, cash_pay: 0, orig_settlement_id: null });
    expect(await movements('A-S1')).toEqual([{ psn_no: m('PAT'), kind: 'debit', amount: -3_055, idem_key: `S${pad(s.id, 12)}-${pad(s.person_id, 10)}` }]);
    expect(await balance(m('PAT'))).toBe(6_945);
    expect(await balance(m('PAR'))).toBe(50_000);
  });

  it('takes the rest from payers in deduction order, each up to its balance, and leaves the remainder as cash', async () => {
    const m = await family('B', {
      accounts: { PAT: '10.00', P1: '50.00', P2: '20.00', P3: '1000.00', P4: '1000.00', P5: '1000.00' },
      persons: [{ psn_no: 'FAR', admdvs: '110101' }],
      bindings: [
        ['P1', 'PAT', { priority: 2 }],
        ['P2', 'PAT', { priority: 1 }],
        ['P3', 'PAT', { priority: 3, relationship: 'other' }],
        ['P4', 'PAT', { priority: 3, revoked_at: '2026-11-01' }],
        ['P5', 'PAT', { priority: 4, bound_at: '2026-11-24' }],
        ['FAR', 'PAT', { priority: 1, bound_at: '2019-01-01' }],
      ],
    });
    await seed(db, 'accounts', [{ psn_no: m('FAR'), balance: '1000' }]);
    await settle([settlementRow('B-S1', m('PAT'), 'HO02', '100.01', { medfee_sumamt: '400' })]);
    expect(await stored('B-S1')).toMatchObject({ acct_pay: 1_000, acct_mulaid_pay: 7_000, cash_pay: 2_001 });
    expect((await movements('B-S1')).map((e) => [e.psn_no, e.amount])).toEqual([[m('PAT'), -1_000], [m('P2'), -2_000], [m('P1'), -5_000]]);
    expect(await Promise.all(['PAT', 'P1', 'P2', 'P3', 'P4', 'P5', 'FAR'].map((x) => balance(m(x))))).toEqual([0, 0, 0, 100_000, 100_000, 100_000, 100_000]);
  });

  it('lets later rows of the file see the balances earlier rows left', async () => {
    const m = await family('C', { accounts: { PAY: '30.00' }, residents: ['KID1', 'KID2'], bindings: [['PAY', 'KID1'], ['PAY', 'KID2']] });
    await settle([settlementRow('C-S1', m('KID1'), 'PH01', '20'), settlementRow('C-S2', m('KID2'), 'PH01', '20'), settlementRow('C-S3', m('KID1'), 'PH01', '5')]);
    expect(await stored('C-S1')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 2_000, cash_pay: 0 });
    expect(await stored('C-S2')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 1_000, cash_pay: 1_000 });
    expect(await stored('C-S3')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 0, cash_pay: 500 });
    expect(await movements('C-S3')).toEqual([]);
    expect(await balance(m('PAY'))).toBe(0);
  });

  it('stores a settlement that moved no money, and pays nothing from accounts for an inactive patient', async () => {
    const m = await family('D', {
      accounts: { PAY: '100' }, residents: ['ALONE'], persons: [{ psn_no: 'SUSP', status: 'suspended' }], bindings: [['PAY', 'SUSP']],
    });
    await seed(db, 'accounts', [{ psn_no: m('SUSP'), balance: '100' }]);
    const summary = await settle([settlementRow('D-S1', m('ALONE'), 'PH01', '12.30'), settlementRow('D-S2', m('SUSP'), 'PH01', '12.30'), settlementRow('D-S3', m('ALONE'), 'PH01', '0')]);
    expect(summary).toMatchObject({ imported: 3, rejected: 0 });
    expect(await stored('D-S1')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 0, cash_pay: 1_230 });
    expect(await stored('D-S2')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 0, cash_pay: 1_230 });
    expect(await stored('D-S3')).toMatchObject({ personal_burden: 0, acct_pay: 0, acct_mulaid_pay: 0, cash_pay: 0 });
    expect(await balance(m('SUSP'))).toBe(10_000);
    expect(await balance(m('PAY'))).toBe(10_000);
  });

  it('rejects settlements at unknown or non-designated institutions (NOT_DESIGNATED), of unknown patients, and with bad amounts', async () => {
    const m = await family('E', { accounts: { PAT: '100' } });
    const counts = await tableCounts(db.pool);
    const summary = await settle([
      settlementRow('E-S1', m('PAT'), 'UNDESIG', '10'),
      settlementRow('E-S2', m('PAT'), 'NOSUCH', '10'),
      settlementRow('E-S3', 'ENOBODY', 'PH01', '10'),
      settlementRow('E-S4', m('PAT'), 'PH01', '-10'),
      settlementRow('E-S5', m('PAT'), 'PH01', '1.234'),
      settlementRow('E-S6', m('PAT'), 'PH01', '10', { setl_time: '2026-11-23T10:00:00' }),
      settlementRow('', m('PAT'), 'PH01', '10'),
    ]);
    expect(summary).toMatchObject({ read: 7, imported: 0, rejected: 7 });
    expect(summary.errors).toEqual([
      { row: 1, column: 'fixmedins_code', reason: 'NOT_DESIGNATED: institution UNDESIG is not designated' },
      { row: 2, column: 'fixmedins_code', reason: 'NOT_DESIGNATED: unknown institution NOSUCH' },
      { row: 3, column: 'psn_no', reason: 'unknown person' },
      { row: 4, column: 'medfee_sumamt', reason: expect.stringContaining('-10.00 is negative') },
      { row: 5, column: 'medfee_sumamt', reason: '"1.234" is not an amount in yuan with at most 2 decimals' },
      { row: 6, column: 'setl_time', reason: expect.stringContaining('"2026-11-23T10:00:00" is not a time') },
      { row: 7, column: 'setl_id', reason: 'is empty' },
    ]);
    expect(await tableCounts(db.pool)).toEqual(counts);
  });

  it('refunds credit back exactly the original debits to the same accounts', async () => {
    const m = await family('F', { accounts: { PAT: '10', PAY: '100' }, bindings: [['PAY', 'PAT']] });
    await settle([settlementRow('F-S1', m('PAT'), 'PH01', '40', { mdtrt_id: 'F-M1' })]);
    expect(await balance(m('PAT'))).toBe(0);
    expect(await balance(m('PAY'))).toBe(7_000);
    // A credit since: a refund must not re-run the allocation, only give back what was taken.
    await seed(db, 'credits', [{ credit_id: 'F-CR', psn_no: m('PAT'), amount: '500', credited_at: '2026-11-24' }]);

    const refund = settlementRow('F-R1', m('PAT'), 'PH01', '-1', { orig_setl_id: 'F-S1', setl_time: '2026-11-25 09:00:00', medfee_sumamt: '-40' });
    expect(await settle([refund])).toMatchObject({ imported: 1, rejected: 0 });
    const original = (await stored('F-S1'))!;
    const r = (await stored('F-R1'))!;
    expect(r).toMatchObject({ orig_settlement_id: original.id, business_date: '2026-11-25', personal_burden: -100, acct_pay: -1_000, acct_mulaid_pay: -3_000, cash_pay: 0 });
    expect(await movements('F-R1')).toEqual([
      { psn_no: m('PAT'), kind: 'refund', amount: 1_000, idem_key: `R${pad(r.id, 12)}-${pad(r.person_id, 10)}` },
      { psn_no: m('PAY'), kind: 'refund', amount: 3_000, idem_key: expect.stringMatching(new RegExp(`^R${pad(r.id, 12)}-\\d{10}$`)) },
    ]);
    expect(await balance(m('PAT'))).toBe(51_000);
    expect(await balance(m('PAY'))).toBe(10_000);

    const again = await settle([{ ...refund, setl_id: 'F-R2' }]);
    expect(again.errors).toEqual([{ row: 1, column: 'orig_setl_id', reason: 'settlement already refunded' }]);
    expect(await balance(m('PAY'))).toBe(10_000);
  });

  it('rejects refunds of another patient, at another institution, of unknown or later settlements, of refunds, or with positive amounts', async () => {
    const m = await family('G', { accounts: { PAT: '100', OTHER: '100' } });
    const refund = (setlId: string, orig: string, over: CsvRow = {}) => settlementRow(setlId, m('PAT'), 'PH01', '-5', { orig_setl_id: orig, setl_time: '2026-11-24', ...over });
    const summary = await settle([
      refund('G-R0', 'G-S1'),
      settlementRow('G-S1', m('PAT'), 'PH01', '5'),
      settlementRow('G-S2', m('OTHER'), 'PH01', '5'),
      refund('G-R1', 'G-S2'),
      refund('G-R2', 'G-S1', { fixmedins_code: 'HO02' }),
      refund('G-R3', 'G-S1', { personal_burden: '5' }),
      refund('G-R4', 'G-S1', { setl_time: '2026-11-22' }),
      refund('G-R5', 'G-S1'),
      refund('G-R6', 'G-R5'),
      refund('G-R7', 'G-R7'),
    ]);
    expect(summary).toMatchObject({ read: 10, imported: 3, rejected: 7 });
    expect(summary.errors).toEqual([
      { row: 1, column: 'orig_setl_id', reason: 'names no earlier settlement' },
      { row: 4, column: 'orig_setl_id', reason: 'names a settlement of another patient' },
      { row: 5, column: 'orig_setl_id', reason: 'names a settlement at another institution' },
      { row: 6, column: 'personal_burden', reason: "5.00 is positive: a refund's amounts must be <= 0" },
      { row: 7, column: 'orig_setl_id', reason: 'refund is dated before the settlement' },
      { row: 9, column: 'orig_setl_id', reason: 'names a refund, not a settlement' },
      { row: 10, column: 'orig_setl_id', reason: 'a refund cannot name itself' },
    ]);
    expect(await balance(m('PAT'))).toBe(10_000);
    expect(await balance(m('OTHER'))).toBe(9_500);
  });

  it('applies a re-imported file as unchanged and rejects a setl_id seen again with different values', async () => {
    const m = await family('H', { accounts: { PAT: '50', PAY: '50' }, residents: ['KID'], bindings: [['PAY', 'KID']] });
    const rows = [
      settlementRow('H-S1', m('PAT'), 'PH01', '30'),
      settlementRow('H-S2', m('KID'), 'HO02', '30', { mdtrt_id: '' }),
      settlementRow('H-R1', m('PAT'), 'PH01', '-30', { orig_setl_id: 'H-S1', setl_time: '2026-11-24' }),
      settlementRow('H-S1', m('PAT'), 'PH01', '30'),
      settlementRow('H-S3', m('PAT'), 'PH01', '45.5'),
    ];
    const file = writeImportFile('settlements.csv', rows);
    expect(await importFile(db, 'settlements', file)).toMatchObject({ read: 5, imported: 4, unchanged: 1, rejected: 0 });
    const balances = [await balance(m('PAT')), await balance(m('PAY'))];
    expect(balances).toEqual([450, 2_000]);

    const counts = await tableCounts(db.pool);
    expect(await importFile(db, 'settlements', file)).toMatchObject({ read: 5, imported: 0, unchanged: 5, rejected: 0 });
    expect(await tableCounts(db.pool)).toEqual(counts);
    expect([await balance(m('PAT')), await balance(m('PAY'))]).toEqual(balances);

    const conflicting = await settle([{ ...rows[1]!, personal_burden: '31' }, { ...rows[1]!, mdtrt_id: 'X' }, { ...rows[2]!, orig_setl_id: '', personal_burden: '0', medfee_sumamt: '0' }]);
    expect(conflicting.errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [1, 'setl_id', 'already applied with different values'],
      [2, 'setl_id', 'already applied with different values'],
      [3, 'setl_id', 'already applied with different values'],
    ]);
    expect(await tableCounts(db.pool)).toEqual(counts);
  });

  it('applies files larger than one batch in file order, refunds across batches included', async () => {
    const m = await family('K', { accounts: { PAT: '100000' } });
    const rows: CsvRow[] = Array.from({ length: 2_400 }, (_, i) => settlementRow(`K-S${pad(i, 5)}`, m('PAT'), 'PH01', '1.01', { setl_time: '2026-11-20 08:00:00' }));
    rows.push(settlementRow('K-R1', m('PAT'), 'PH01', '-1.01', { orig_setl_id: 'K-S00000', setl_time: '2026-11-21' }));
    rows.splice(1_500, 0, settlementRow('K-R2', m('PAT'), 'PH01', '-1.01', { orig_setl_id: 'K-S00001', setl_time: '2026-11-21' }));
    expect(await settle(rows)).toMatchObject({ read: 2_402, imported: 2_402, rejected: 0 });
    expect(await balance(m('PAT'))).toBe(10_000_000 - 2_398 * 101);
  });

  it('reads a batch\'s lookups in its own transaction when their prefetch failed', async () => {
    const m = await family('L', { accounts: { PAY: '20' }, residents: ['KID'], bindings: [['PAY', 'KID']] });
    const event = {
      setlId: 'L-S1', mdtrtId: null, psnNo: m('KID'), fixmedinsCode: 'PH01', setlTime: '2026-11-23 10:00:00', medfeeSumamt: 3_000, personalBurden: 1_500, origSetlId: null,
    };
    const outcomes = await settlementsImport.writeBatch(db, [{ row: 1, value: event }], Promise.reject(new Error('connection lost')));
    expect(outcomes).toEqual(['imported']);
    expect(await stored('L-S1')).toMatchObject({ acct_pay: 0, acct_mulaid_pay: 1_500, cash_pay: 0 });
    expect(await balance(m('PAY'))).toBe(500);
  });

  it('keeps every balance equal to opening balance plus ledger entries, through settlements, a payer, a refund, a credit and an adjustment', async () => {
    const m = await family('Z', { accounts: { PAT: '10', PAY: '50' }, residents: ['KID'], bindings: [['PAY', 'PAT'], ['PAY', 'KID']] });
    await settle([
      settlementRow('Z-S1', m('PAT'), 'PH01', '30'),
      settlementRow('Z-S2', m('KID'), 'HO02', '15'),
      settlementRow('Z-R1', m('PAT'), 'PH01', '-30', { orig_setl_id: 'Z-S1', setl_time: '2026-11-24 09:00:00' }),
    ]);
    await seed(db, 'credits', [{ credit_id: 'Z-CR', psn_no: m('PAT'), amount: '5', credited_at: '2026-11-24' }]);
    await seed(db, 'accounts', [{ psn_no: m('PAY'), balance: '60' }]);
    expect((await query(db.pool, "SELECT COUNT(*) AS n FROM ledger_entries l JOIN persons p ON p.id = l.account_id WHERE p.psn_no LIKE 'Z%'"))[0]).toEqual({ n: 7 });
    expect(await ledgerMismatches(db.pool)).toEqual([]);
  });
});
