import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../src/db/client.ts';
import { creditKey } from '../../src/ledger/keys.ts';

/** About this many entries per statement (and transaction) when growing. */
const CHUNK = 100_000;

/**
 * Grows the ledger by `count` valid one-fen credits (keys from `firstKey` up) spread evenly over
 * `accounts`. Setup, not measured, so it is built for speed on the server: each chunk is one
 * `INSERT … SELECT` from a numbers table plus the balance update of the accounts it credited, in
 * one transaction, two chunks at a time. A chunk credits a window of accounts in turn, so the
 * ledger's ids interleave accounts like monthly credits do, while the per-account index pages a chunk
 * touches stay few enough for a default buffer pool (round-robin over every account would read one
 * index page per entry).
 */
export async function growLedger(db: Db, accounts: readonly number[], count: number, firstKey: number): Promise<void> {
  if (count <= 0) return;
  const perAccount = Math.ceil(count / accounts.length);
  const window = Math.max(1, Math.floor(CHUNK / perAccount));
  const chunk = window * perAccount;
  const prefix = creditKey(0).slice(0, 1);
  const width = creditKey(0).length - 1;
  if (String(firstKey + count).length > width) throw new Error('ledger growth: synthetic credit keys would outgrow their width');
  const chunks: Chunk[] = [];
  for (let base = 0, w = 0; base < count; base += chunk, w++) {
    // The last window may hold fewer accounts than the others; entries never wrap onto another chunk's accounts.
    const firstAccount = w * window;
    chunks.push({ prefix, width, key: firstKey + base, length: Math.min(chunk, count - base), firstAccount, window: Math.min(window, accounts.length - firstAccount) });
  }
  // Two connections, each taking the next chunk: chunks credit disjoint accounts, so they never wait for each other.
  let next = 0;
  const worker = async () => {
    const conn = await db.pool.getConnection();
    try {
      // Without gap locks and with locks on rows the balance update does not change released: the two never wait on each other.
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.query('CREATE TEMPORARY TABLE grow_numbers (n INT UNSIGNED PRIMARY KEY)');
      await conn.query('CREATE TEMPORARY TABLE grow_accounts (k INT UNSIGNED PRIMARY KEY, person_id INT UNSIGNED NOT NULL)');
      for (let i = 0; i < Math.min(chunk, count); i += 10_000) {
        await conn.query('INSERT INTO grow_numbers (n) VALUES ?', [Array.from({ length: Math.min(10_000, Math.min(chunk, count) - i) }, (_, j) => [i + j])]);
      }
      for (let i = 0; i < accounts.length; i += 10_000) {
        await conn.query('INSERT INTO grow_accounts (k, person_id) VALUES ?', [accounts.slice(i, i + 10_000).map((id, j) => [i + j, id])]);
      }
      while (next < chunks.length) await growChunk(conn, chunks[next++]!);
    } finally {
      await conn.query('DROP TEMPORARY TABLE IF EXISTS grow_numbers, grow_accounts').catch(() => undefined);
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ').catch(() => undefined);
      conn.release();
    }
  };
  await Promise.all([worker(), worker()]);
}

interface Chunk { prefix: string; width: number; key: number; length: number; firstAccount: number; window: number }

async function growChunk(conn: PoolConnection, c: Chunk): Promise<void> {
  // Entry n of the chunk goes to account firstAccount + n mod window.
  const account = 'ga.k = ? + n.n MOD ?';
  const where = [c.firstAccount, c.window, c.length];
  await conn.query('START TRANSACTION');
  try {
    await conn.query(
      `INSERT INTO ledger_entries (idem_key, account_id, kind, amount)
       SELECT CONCAT(?, LPAD(? + n.n, ?, '0')), ga.person_id, 'credit', 1
         FROM grow_numbers n JOIN grow_accounts ga ON ${account} WHERE n.n < ? ORDER BY n.n`,
      [c.prefix, c.key, c.width, ...where],
    );
    await conn.query(
      `UPDATE accounts a JOIN (SELECT ga.person_id, COUNT(*) AS credited FROM grow_numbers n JOIN grow_accounts ga ON ${account}
                                WHERE n.n < ? GROUP BY ga.person_id) d ON d.person_id = a.person_id
          SET a.balance = a.balance + d.credited`,
      where,
    );
    await conn.query('COMMIT');
  } catch (error) {
    await conn.query('ROLLBACK');
    throw error;
  }
}
