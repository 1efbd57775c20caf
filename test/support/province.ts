import { expect } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { expectLedgerConsistent, ledgerCount } from './orders.ts';
import type { Pool } from 'mysql2/promise';
import { idNumberFor } from './factories.ts';

/**
 * `families` families, inserted in bulk: payer E{i} (balance `balance` fen) pays for residents
 * R{2i} and R{2i+1}; every tenth payer is also second in line for the next family, so clusters
 * span families.
 */
export async function seedFamilies(pool: Pool, families: number, balance = 80000): Promise<void> {
  const persons: unknown[][] = [];
  for (let i = 0; i < families; i++) {
    persons.push([`E${String(i).padStart(6, '0')}`, idNumberFor(i), '甲', '310', '510104', 'active', null]);
    persons.push([`R${String(2 * i).padStart(6, '0')}`, idNumberFor(i), '乙', '390', '510104', 'active', 'adult']);
    persons.push([`R${String(2 * i + 1).padStart(6, '0')}`, idNumberFor(i), '丙', '390', '510104', 'active', 'minor']);
  }
  await pool.query('INSERT INTO persons (psn_no, id_number, name, insutype, admdvs, status, resident_category) VALUES ?', [persons]);
  await pool.query("INSERT INTO accounts (person_id, balance, opening_balance, imported_balance) SELECT id, ?, ?, ? FROM persons WHERE insutype = '310'", [balance, balance, balance]);
  // Ids looked up by psn_no: a Galera cluster steps auto-increment by its node count, so ids are not consecutive.
  const psnNos = persons.map((p) => p[0]);
  const [rows] = (await pool.query('SELECT id, psn_no AS psnNo FROM persons WHERE psn_no IN (?)', [psnNos])) as unknown as [{ id: number; psnNo: string }[]];
  const idOf = new Map(rows.map((r) => [r.psnNo, r.id]));
  const payer = (i: number) => idOf.get(`E${String(i).padStart(6, '0')}`)!;
  const resident = (n: number) => idOf.get(`R${String(n).padStart(6, '0')}`)!;
  const bindings: unknown[][] = [];
  for (let i = 0; i < families; i++) {
    bindings.push([resident(2 * i), payer(i), 'child', 1, '2020-01-01 00:00:00']);
    bindings.push([resident(2 * i + 1), payer(i), 'child', 1, '2020-01-01 00:00:00']);
    if (i % 10 === 0 && i + 1 < families) bindings.push([resident(2 * (i + 1)), payer(i), 'sibling', 2, '2021-01-01 00:00:00']);
  }
  await pool.query('INSERT INTO bindings (beneficiary_id, payer_id, relationship, priority, bound_at) VALUES ?', [bindings]);
}

export async function orderCounts(pool: Pool, campaignId: number): Promise<{ pending: number; done: number; paid: number }> {
  const [rows] = await pool.query(
    "SELECT COALESCE(SUM(status = 'pending'), 0) AS pending, COALESCE(SUM(status <> 'pending'), 0) AS done, COALESCE(SUM(status = 'paid'), 0) AS paid FROM premium_orders WHERE campaign_id = ?",
    [campaignId],
  );
  const r = (rows as { pending: number; done: number; paid: number }[])[0]!;
  return { pending: Number(r.pending), done: Number(r.done), paid: Number(r.paid) };
}

/** Every (order, payer) pair debited more than once: must always be empty. */
export async function doubleDebits(pool: Pool): Promise<unknown[]> {
  const [rows] = await pool.query("SELECT order_id, account_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'debit' GROUP BY order_id, account_id HAVING n > 1");
  return rows as unknown[];
}

/**
 * After a fault: every order paid, each exactly once. Every payer holds exactly the premiums of its
 * family, so a second debit anywhere would show.
 */
export async function expectEveryOrderPaidOnce(pool: Pool, campaignId: number, orders: number): Promise<void> {
  expect(await orderCounts(pool, campaignId)).toMatchObject({ pending: 0, paid: orders });
  await expectLedgerConsistent(pool);
  expect(await doubleDebits(pool)).toEqual([]);
  expect(await ledgerCount(pool)).toBe(orders);
  const [[charged]] = await pool.query<RowDataPacket[]>('SELECT MAX(attempts) AS most FROM premium_orders');
  expect(charged!.most).toBe(1);
}
