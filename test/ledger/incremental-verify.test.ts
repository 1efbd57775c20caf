import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.ts';
import { postEntries } from '../../src/ledger/entries.ts';
import { creditKey, premiumDebitKey, settlementDebitKey } from '../../src/ledger/keys.ts';
import { runLedgerVerify, type LedgerReport } from '../../src/ledger/verify.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson } from '../support/factories.ts';

const db = await useTestDb('ledger_incremental');
const pool = db.pool;
let people = 0;

// settleSeconds 0: every committed entry may be folded into the checkpoint (nothing else writes here).
const incremental = () => runLedgerVerify(pool, { settleSeconds: 0 });
const full = () => runLedgerVerify(pool, { full: true, settleSeconds: 0 });
const lines = (r: LedgerReport) => r.problems.map((p) => `${p.check} ${p.subject} ${p.expected} ${p.actual}`).sort();
const checkpointAt = async () => {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT through_entry_id FROM ledger_checkpoint WHERE id = 1');
  return rows[0] ? Number(rows[0].through_entry_id) : null;
};
const lastEntryId = async () => {
  const [[r]] = await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM ledger_entries');
  return Number(r!.id);
};

/** A payer with an account pays a paid order of `premium` fen for a new beneficiary; returns ids. */
async function paidOrder(premium: number): Promise<{ payer: number; payerPsn: string; order: number }> {
  const n = ++people;
  const payerPsn = `IV${n}P`;
  const payer = await addPerson(pool, { psnNo: payerPsn, balance: 10_000 });
  const kid = await addPerson(pool, { psnNo: `IV${n}K` });
  const [result] = await pool.query<RowDataPacket[] & { insertId: number }>(
    `INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, status, planned_at) VALUES (1, ?, ?, 'adult', ?, 'paid', '2026-01-01 00:00:00')`,
    [kid, `IV${n}K`, premium],
  );
  const order = (result as unknown as { insertId: number }).insertId;
  await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: premiumDebitKey(order, payer), accountId: payer, kind: 'debit', amount: -premium, orderId: order }]));
  return { payer, payerPsn, order };
}

/** A payer's own bill of `amount` fen, paid from their account; returns ids. */
async function paidBill(amount: number): Promise<{ payer: number; payerPsn: string; settlement: number; setlId: string }> {
  const n = ++people;
  const payerPsn = `IV${n}B`;
  const setlId = `IVSETL${n}`;
  const payer = await addPerson(pool, { psnNo: payerPsn, balance: 10_000 });
  const [result] = await pool.query<RowDataPacket[] & { insertId: number }>(
    `INSERT INTO settlements (setl_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date,
       medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay) VALUES (?, ?, ?, 1, 'H1', '2026-01-01 10:00:00', '2026-01-01', ?, ?, ?, 0, 0)`,
    [setlId, payer, payerPsn, amount, amount, amount],
  );
  const settlement = (result as unknown as { insertId: number }).insertId;
  await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: settlementDebitKey(settlement, payer), accountId: payer, kind: 'debit', amount: -amount, settlementId: settlement }]));
  return { payer, payerPsn, settlement, setlId };
}

/** A day of work after a clean checkpoint: a new order paid and a credit to an old account. */
async function checkpointThenDay(): Promise<{ old: Awaited<ReturnType<typeof paidOrder>>; fresh: Awaited<ReturnType<typeof paidOrder>> }> {
  const old = await paidOrder(380);
  expect((await full()).problems).toEqual([]);
  const fresh = await paidOrder(400);
  await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: creditKey(100_000 + people), accountId: old.payer, kind: 'credit', amount: 50 }]));
  return { old, fresh };
}

/** The incremental verify reports exactly what the full one does, and neither moves the checkpoint. */
async function expectBothCatch(expected: string[]): Promise<void> {
  const before = await checkpointAt();
  const inc = await incremental();
  expect(inc.mode).toBe('incremental');
  expect(lines(inc)).toEqual(expected);
  const all = await full();
  expect(all.mode).toBe('full');
  expect(lines(all)).toEqual(expected);
  expect(await checkpointAt()).toBe(before);
}

describe('ledger verify after a checkpoint', () => {
  it('is full without a checkpoint; a clean incremental verify reads only new entries and advances the checkpoint', async () => {
    await paidOrder(100);
    const first = await incremental();
    expect(first).toMatchObject({ mode: 'full', problems: [] });
    expect(await checkpointAt()).toBe(await lastEntryId());
    const { fresh } = await checkpointThenDay();
    const report = await incremental();
    expect(report).toMatchObject({ mode: 'incremental', problems: [], entriesRead: 2 });
    expect(report.checkpointEntryId).toBe(await lastEntryId());
    expect(await checkpointAt()).toBe(await lastEntryId());
    const [[cp]] = await pool.query<RowDataPacket[]>('SELECT entries, total, balance FROM ledger_account_checkpoints WHERE account_id = ?', [fresh.payer]);
    expect(cp).toMatchObject({ entries: 1, total: -400, balance: 9_600 });
    expect(await incremental()).toMatchObject({ mode: 'incremental', problems: [], entriesRead: 0 });
  });

  it('catches a balance changed behind the ledger\'s back, on an account with or without movements since', async () => {
    const { old, fresh } = await checkpointThenDay();
    const quiet = await paidOrder(10);
    expect((await incremental()).problems).toEqual([]);
    await pool.query('UPDATE accounts SET balance = balance + 7 WHERE person_id IN (?)', [[fresh.payer, quiet.payer]]);
    await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: creditKey(200_000 + people), accountId: old.payer, kind: 'credit', amount: 1 }]));
    await expectBothCatch([`account_balance ${fresh.payerPsn} 9600 9607`, `account_balance ${quiet.payerPsn} 9990 9997`]);
    await pool.query('UPDATE accounts SET balance = balance - 7 WHERE person_id IN (?)', [[fresh.payer, quiet.payer]]);
    expect((await incremental()).problems).toEqual([]);
  });

  it('catches an entry deleted that was written after the checkpoint', async () => {
    const { fresh } = await checkpointThenDay();
    await pool.query('DELETE FROM ledger_entries WHERE order_id = ?', [fresh.order]);
    await expectBothCatch([`account_balance ${fresh.payerPsn} 10000 9600`, `order_debits order ${fresh.order} (paid) 400 0`]);
    await pool.query('UPDATE premium_orders SET status = \'failed\' WHERE id = ?', [fresh.order]);
    await pool.query('UPDATE accounts SET balance = 10000 WHERE person_id = ?', [fresh.payer]);
    expect((await incremental()).problems).toEqual([]);
  });

  it('catches a double debit: a second debit of the same order and payer, balance adjusted', async () => {
    const { old } = await checkpointThenDay();
    await inTransaction(pool, (conn) => postEntries(conn, [{ idemKey: `${premiumDebitKey(old.order, old.payer)}x`, accountId: old.payer, kind: 'debit', amount: -380, orderId: old.order }]));
    await expectBothCatch([`order_debits order ${old.order} (paid) 380 760`]);
    await pool.query('UPDATE premium_orders SET premium = 760 WHERE id = ?', [old.order]);
    expect((await incremental()).problems).toEqual([]);
  });

  it('catches a double debit of a settlement written before the checkpoint', async () => {
    const bill = await paidBill(120);
    await checkpointThenDay();
    await inTransaction(pool, (conn) => postEntries(conn, [
      { idemKey: `${settlementDebitKey(bill.settlement, bill.payer)}x`, accountId: bill.payer, kind: 'debit', amount: -120, settlementId: bill.settlement },
    ]));
    await expectBothCatch([`settlement_debits ${bill.setlId} 120 240`]);
    await pool.query('UPDATE settlements SET acct_pay = 240 WHERE id = ?', [bill.settlement]);
    expect((await incremental()).problems).toEqual([]);
  });

  it('catches an entry written after the checkpoint on an account that does not exist', async () => {
    await checkpointThenDay();
    await pool.query("INSERT INTO ledger_entries (idem_key, account_id, kind, amount) VALUES ('IVORPHAN', 4000000000, 'credit', 5)");
    await expectBothCatch(['orphan_entry IVORPHAN 0 5']);
    await pool.query("DELETE FROM ledger_entries WHERE idem_key = 'IVORPHAN'");
    expect((await incremental()).problems).toEqual([]);
  });

  it('leaves a settlement edited before the checkpoint to the full verify', async () => {
    const bill = await paidBill(70);
    await checkpointThenDay();
    await pool.query('UPDATE settlements SET acct_pay = 71 WHERE id = ?', [bill.settlement]);
    expect((await incremental()).problems).toEqual([]);
    expect(lines(await full())).toEqual([`settlement_debits ${bill.setlId} 71 70`]);
    await pool.query('UPDATE settlements SET acct_pay = 70 WHERE id = ?', [bill.settlement]);
    expect((await full()).problems).toEqual([]);
  });

  it('leaves an entry deleted before the checkpoint to the full verify', async () => {
    const { old } = await checkpointThenDay();
    await pool.query('DELETE FROM ledger_entries WHERE order_id = ?', [old.order]);
    const before = await checkpointAt();
    expect((await incremental()).problems).toEqual([]);
    expect(await checkpointAt()).toBeGreaterThan(before!);
    const all = await full();
    expect(lines(all)).toEqual([`account_balance ${old.payerPsn} 10050 9670`, `order_debits order ${old.order} (paid) 380 0`]);
    await pool.query('UPDATE premium_orders SET status = \'failed\' WHERE id = ?', [old.order]);
    await pool.query('UPDATE accounts SET balance = 10050 WHERE person_id = ?', [old.payer]);
    expect((await full()).problems).toEqual([]);
  });

  it('keeps every account checkpoint as it was when a full verify whose balances hold finds an order wrong', async () => {
    const { fresh } = await checkpointThenDay();
    const accountCheckpoints = async () => (await pool.query<RowDataPacket[]>('SELECT * FROM ledger_account_checkpoints ORDER BY account_id'))[0];
    const before = { ledger: await checkpointAt(), accounts: await accountCheckpoints() };
    await pool.query('UPDATE premium_orders SET premium = 401 WHERE id = ?', [fresh.order]);
    expect(lines(await full())).toEqual([`order_debits order ${fresh.order} (paid) 401 400`]);
    expect({ ledger: await checkpointAt(), accounts: await accountCheckpoints() }).toEqual(before);
    // The accounts the day moved are folded in once the proof holds again.
    await pool.query('UPDATE premium_orders SET premium = 400 WHERE id = ?', [fresh.order]);
    expect((await full()).problems).toEqual([]);
    expect(await checkpointAt()).toBe(await lastEntryId());
    const [[cp]] = await pool.query<RowDataPacket[]>('SELECT entries, total FROM ledger_account_checkpoints WHERE account_id = ?', [fresh.payer]);
    expect(cp).toMatchObject({ entries: 1, total: -400 });
  });

  it('does not fold entries younger than the settling time into the checkpoint', async () => {
    expect((await full()).problems).toEqual([]);
    const before = await checkpointAt();
    await paidOrder(5);
    const report = await runLedgerVerify(pool, { settleSeconds: 3_600 });
    expect(report).toMatchObject({ mode: 'incremental', problems: [], entriesRead: 1, checkpointEntryId: before });
    expect((await runLedgerVerify(pool, { settleSeconds: 3_600 })).entriesRead).toBe(1);
  });
});
