import type { RowDataPacket } from 'mysql2/promise';
import type { Db } from '../../src/db/client.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { postEntries, type NewLedgerEntry } from '../../src/ledger/entries.ts';
import { creditKey } from '../../src/ledger/keys.ts';
import { runLedgerVerify, type LedgerReport } from '../../src/ledger/verify.ts';

export interface VerifyRun {
  full: LedgerReport;
  incremental: LedgerReport;
  fullMs: number;
  incrementalMs: number;
  /** Entries written by `--grow-ledger` (0 without it) and by the day's work between the two. */
  grownEntries: number;
  dayEntries: number;
}

/** Synthetic credit keys start far above any real credits row id, and ascend. */
let nextKey = 900_000_000_000;

/**
 * Valid synthetic movements: one-fen credits spread over the existing accounts, written through the
 * ledger module (multi-row INSERT and the one balance update) in batches of `batch` entries.
 */
async function addCredits(db: Db, accounts: readonly number[], count: number, batch = 5_000): Promise<void> {
  let cursor = 0;
  for (let written = 0; written < count; written += batch) {
    const entries: NewLedgerEntry[] = [];
    for (let i = 0; i < Math.min(batch, count - written); i++) {
      entries.push({ idemKey: creditKey(nextKey++), accountId: accounts[cursor++ % accounts.length]!, kind: 'credit', amount: 1 });
    }
    await inTransaction(db.pool, (conn) => postEntries(conn, entries));
  }
}

const elapsed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const value = await work();
  return [value, Math.round(performance.now() - t0)];
};

/**
 * Grows the ledger to `growTo` entries when it is smaller, then times a full verify (which leaves
 * a checkpoint), a small day's work (`dayEntries` credits) and the incremental verify after it.
 */
export async function measureLedgerVerify(db: Db, growTo: number, dayEntries = 10_000): Promise<VerifyRun> {
  const [accountRows] = await db.pool.query<RowDataPacket[]>('SELECT person_id FROM accounts ORDER BY person_id');
  const accounts = accountRows.map((r) => r.person_id as number);
  if (accounts.length === 0) throw new Error('ledger verify bench: no accounts to move money on');
  const [[count]] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ledger_entries');
  const grownEntries = Math.max(0, growTo - Number(count!.n));
  await addCredits(db, accounts, grownEntries);
  const [full, fullMs] = await elapsed(() => runLedgerVerify(db.pool, { full: true, settleSeconds: 0 }));
  await addCredits(db, accounts, dayEntries, 500);
  const [incremental, incrementalMs] = await elapsed(() => runLedgerVerify(db.pool, { settleSeconds: 0 }));
  return { full, incremental, fullMs, incrementalMs, grownEntries, dayEntries };
}
