import type { Pool } from 'mysql2/promise';

const TABLE = 'bench_raw_ledger';
const ROWS_PER_STATEMENT = 1000;
/** PERF-NOTES: two connections with ascending keys are this machine's fastest way to append rows. */
const IN_FLIGHT = 2;

export interface RawInsertResult {
  rows: number;
  seconds: number;
}

/**
 * The machine's write ceiling for ledger-like rows: plain multi-row INSERTs (autocommit, ascending
 * idempotency keys) into a scratch copy of ledger_entries with the same columns and indexes. No
 * locks, no reads, no balance updates: nothing the campaign could do faster.
 */
export async function measureRawInsert(pool: Pool, rows: number, accounts: number): Promise<RawInsertResult> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(`CREATE TABLE ${TABLE} LIKE ledger_entries`);
  try {
    const inFlight: Promise<unknown>[] = [];
    const started = performance.now();
    for (let from = 1; from <= rows; from += ROWS_PER_STATEMENT) {
      const values: unknown[][] = [];
      for (let i = from; i < Math.min(rows + 1, from + ROWS_PER_STATEMENT); i++) {
        values.push([`P${String(i).padStart(10, '0')}-${String(1 + (i % accounts)).padStart(10, '0')}`, 1 + (i % accounts), 'debit', -40000, i]);
      }
      inFlight.push(pool.query(`INSERT INTO ${TABLE} (idem_key, account_id, kind, amount, order_id) VALUES ?`, [values]));
      if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    }
    await Promise.all(inFlight);
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  }
}
