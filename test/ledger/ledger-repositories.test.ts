import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.ts';
import { applyBalanceDeltas, insertAccounts, lockAccounts, recordImportedBalances } from '../../src/ledger/accounts.ts';
import { findSettlementDebits, insertLedgerEntries, postEntries } from '../../src/ledger/entries.ts';
import { adjustmentKey, creditKey, premiumDebitKey, refundKey, settlementDebitKey } from '../../src/ledger/keys.ts';
import { findBindingsOf } from '../../src/ledger/payers.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';

const db = await useTestDb('ledger_repositories');
const pool = db.pool;

const balances = async (...ids: number[]) => {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT person_id, balance FROM accounts WHERE person_id IN (?) ORDER BY person_id', [ids]);
  return rows.map((r) => r.balance as number);
};
const entriesOf = async (id: number) => {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT idem_key, kind, amount FROM ledger_entries WHERE account_id = ? ORDER BY id', [id]);
  return rows;
};

describe('ledger keys', () => {
  it('grow with the ids they are built from, in every kind', () => {
    expect(premiumDebitKey(12, 7)).toBe('P0000000012-0000000007');
    expect(premiumDebitKey(12, 7) < premiumDebitKey(13, 1)).toBe(true);
    expect(adjustmentKey(7, 2)).toBe('A0000000007-000002');
    expect(creditKey(31)).toBe('C000000000031');
    expect(settlementDebitKey(5, 7)).toBe('S000000000005-0000000007');
    expect(refundKey(6, 7)).toBe('R000000000006-0000000007');
  });
});

describe('ledger accounts', () => {
  it('creates an account with balance = opening = imported balance, and locks and reads it', async () => {
    const a = await addPerson(pool, { psnNo: 'LA1' });
    await inTransaction(pool, (conn) => insertAccounts(conn, [{ personId: a, balance: 1_234 }]));
    const locked = await inTransaction(pool, (conn) => lockAccounts(conn, [a, a, 999_999]));
    expect([...locked.values()]).toEqual([{ personId: a, balance: 1_234, importedBalance: 1_234, adjustments: 0 }]);
  });

  it('moves every balance by its delta in one guarded update, and rolls back the whole batch when one would go negative', async () => {
    const a = await addPerson(pool, { psnNo: 'LA2', balance: 1_000 });
    const b = await addPerson(pool, { psnNo: 'LA3', balance: 500 });
    await inTransaction(pool, (conn) => applyBalanceDeltas(conn, new Map([[a, -1_000], [b, 250]])));
    expect(await balances(a, b)).toEqual([0, 750]);
    await expect(inTransaction(pool, (conn) => applyBalanceDeltas(conn, new Map([[b, -100], [a, -1]])))).rejects.toThrow(/matched 1 of 2 accounts/);
    expect(await balances(a, b)).toEqual([0, 750]);
    // A zero sum is not written: it cannot fail the guard or count as an account that did not match.
    await inTransaction(pool, (conn) => applyBalanceDeltas(conn, new Map([[a, 0], [b, -750]])));
    expect(await balances(a, b)).toEqual([0, 0]);
  });

  it('records an imported balance only against the value it was computed from', async () => {
    const a = await addPerson(pool, { psnNo: 'LA4', balance: 300 });
    await inTransaction(pool, (conn) => recordImportedBalances(conn, [{ personId: a, expectedImported: 300, newImported: 400 }]));
    await expect(inTransaction(pool, (conn) => recordImportedBalances(conn, [{ personId: a, expectedImported: 300, newImported: 500 }]))).rejects.toThrow(/matched 0 of 1/);
    const [[row]] = await pool.query<RowDataPacket[]>('SELECT balance, imported_balance, adjustments FROM accounts WHERE person_id = ?', [a]);
    expect(row).toEqual({ balance: 300, imported_balance: 400, adjustments: 1 });
  });
});

describe('ledger entries', () => {
  it('posts entries with their balances summed per account, and writes nothing when a key was written before', async () => {
    const a = await addPerson(pool, { psnNo: 'LE1', balance: 10_000 });
    const entries = [
      { idemKey: creditKey(900_001), accountId: a, kind: 'credit' as const, amount: 500 },
      { idemKey: creditKey(900_002), accountId: a, kind: 'credit' as const, amount: 700 },
    ];
    await inTransaction(pool, (conn) => postEntries(conn, entries));
    expect(await balances(a)).toEqual([11_200]);
    await expect(inTransaction(pool, (conn) => postEntries(conn, [{ ...entries[0]!, idemKey: creditKey(900_003) }, entries[1]!]))).rejects.toThrow(/Duplicate entry/);
    expect(await balances(a)).toEqual([11_200]);
    expect(await entriesOf(a)).toEqual([
      { idem_key: 'C000000900001', kind: 'credit', amount: 500 },
      { idem_key: 'C000000900002', kind: 'credit', amount: 700 },
    ]);
  });

  it('refuses a debit beyond the balance: neither entry nor balance is written', async () => {
    const a = await addPerson(pool, { psnNo: 'LE2', balance: 100 });
    const debit = { idemKey: adjustmentKey(a, 1), accountId: a, kind: 'adjustment' as const, amount: -101 };
    await expect(inTransaction(pool, (conn) => postEntries(conn, [debit]))).rejects.toThrow(/guarded update matched 0 of 1/);
    expect(await balances(a)).toEqual([100]);
    expect(await entriesOf(a)).toEqual([]);
  });

  it("finds each settlement's debits, positive, in the order they were written", async () => {
    const a = await addPerson(pool, { psnNo: 'LE3', balance: 1_000 });
    const b = await addPerson(pool, { psnNo: 'LE4', balance: 1_000 });
    const [inserted] = await pool.query<import('mysql2').ResultSetHeader>(
      `INSERT INTO settlements (setl_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date, medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay)
       VALUES ('LE-S1', ?, 'LE3', 1, 'PH01', '2026-11-23 10:00:00', '2026-11-23', 300, 300, 100, 200, 0)`,
      [a],
    );
    const s = inserted.insertId;
    await inTransaction(pool, (conn) => insertLedgerEntries(conn, [
      { idemKey: settlementDebitKey(s, b), accountId: b, kind: 'debit', amount: -200, settlementId: s },
      { idemKey: settlementDebitKey(s, a), accountId: a, kind: 'debit', amount: -100, settlementId: s },
    ]));
    const debits = await inTransaction(pool, (conn) => findSettlementDebits(conn, [s, s, 123_456]));
    expect([...debits]).toEqual([[s, [{ personId: b, amount: 200 }, { personId: a, amount: 100 }]]]);
  });
});

describe('ledger payers', () => {
  it('reads every binding of the beneficiaries with its payer, in force or not', async () => {
    const payer = await addPerson(pool, { psnNo: 'LP1', balance: 0 });
    const other = await addPerson(pool, { psnNo: 'LP2', status: 'suspended', insutype: '310' });
    const kid = await addPerson(pool, { psnNo: 'LP3', category: 'minor' });
    await bind(pool, payer, kid, { priority: 2 });
    await bind(pool, other, kid, { priority: 1, revokedAt: '2026-01-01 00:00:00' });
    const bindings = await findBindingsOf(pool, [kid, kid, 999_999]);
    expect([...bindings.keys()]).toEqual([kid]);
    expect(bindings.get(kid)!.map((b) => [b.payer.psnNo, b.payer.status, b.priority, b.revokedAt]).sort()).toEqual([
      ['LP1', 'active', 2, null],
      ['LP2', 'suspended', 1, '2026-01-01 00:00:00'],
    ]);
  });
});

describe('ledger verify', () => {
  it('finds a balance that disagrees with its entries', async () => {
    // (Other tests of this file move balances and entries separately, on purpose: only LV1 is looked at.)
    const a = await addPerson(pool, { psnNo: 'LV1', balance: 100 });
    await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: creditKey(900_100), accountId: a, kind: 'credit', amount: 5 }]));
    const problemsOfLv1 = async () => (await verifyLedger(pool, 1_000)).problems.filter((p) => p.subject === 'LV1');
    expect(await problemsOfLv1()).toEqual([]);
    await pool.query('UPDATE accounts SET balance = balance + 1 WHERE person_id = ?', [a]);
    expect(await problemsOfLv1()).toEqual([{ check: 'account_balance', subject: 'LV1', expected: 105, actual: 106 }]);
  });
});
