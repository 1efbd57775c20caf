import type { RowDataPacket } from 'mysql2/promise';
import type { Db } from '../../src/db/client.ts';
import { eachRow } from '../../src/db/each-row.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { postEntries, type NewLedgerEntry } from '../../src/ledger/entries.ts';
import { creditKey } from '../../src/ledger/keys.ts';
import { LEDGER_PASS_SQL, runLedgerVerify, type LedgerReport } from '../../src/ledger/verify.ts';
import { growLedger } from './ledger-growth.ts';

export interface VerifyRun {
  full: LedgerReport;
  incremental: LedgerReport;
  fullMs: number;
  incrementalMs: number;
  /** The baseline: the ledger's rows (the columns a verify needs) read once in id order by the same client, nothing done with them. */
  sequentialReadMs: number;
  /** Entries in the ledger when the full verify ran. */
  entries: number;
  /** Entries written by the day's work between the full and the incremental verify. */
  dayEntries: number;
}

/** Synthetic credit keys start far above any real credits row id, and ascend. */
let nextKey = 900_000_000_000;

async function employeeAccounts(db: Db): Promise<number[]> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT person_id FROM accounts ORDER BY person_id');
  if (rows.length === 0) throw new Error('ledger verify bench: no accounts to move money on');
  return rows.map((r) => r.person_id as number);
}

async function ledgerSize(db: Db): Promise<number> {
  const [[count]] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ledger_entries');
  return Number(count!.n);
}

/** A day's work: one-fen credits to accounts in turn, through the ledger module like any movement, `batch` per transaction. */
async function addCredits(db: Db, accounts: readonly number[], count: number, batch: number): Promise<void> {
  let cursor = 0;
  for (let written = 0; written < count; written += batch) {
    const entries: NewLedgerEntry[] = [];
    for (let i = 0; i < Math.min(batch, count - written); i++) {
      entries.push({ idemKey: creditKey(nextKey++), accountId: accounts[cursor++ % accounts.length]!, kind: 'credit', amount: 1 });
    }
    await inTransaction(db.pool, (conn) => postEntries(conn, entries));
  }
}

/** Grows the ledger to `growTo` entries (valid synthetic credits) when it is smaller; returns the entries added. */
export async function growLedgerTo(db: Db, growTo: number): Promise<number> {
  const added = Math.max(0, growTo - await ledgerSize(db));
  await growLedger(db, await employeeAccounts(db), added, nextKey);
  nextKey += added;
  return added;
}

/**
 * The full verify's own read of the ledger (same statement, same row-by-row reading), rows dropped:
 * what one sequential pass costs this client at best.
 */
async function sequentialRead(db: Db): Promise<number> {
  const conn = await db.pool.getConnection();
  try {
    return await eachRow(conn, LEDGER_PASS_SQL, [0], () => undefined);
  } finally {
    conn.release();
  }
}

const elapsed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const value = await work();
  return [value, Math.round(performance.now() - t0)];
};

/**
 * Times, at the ledger's current size: one bare sequential read of it (the baseline), a full verify
 * (which leaves a checkpoint), then a small day's work (`dayEntries` credits, not timed) and the
 * incremental verify after it.
 */
export async function measureLedgerVerify(db: Db, dayEntries = 10_000): Promise<VerifyRun> {
  const accounts = await employeeAccounts(db);
  const entries = await ledgerSize(db);
  const [, sequentialReadMs] = await elapsed(() => sequentialRead(db));
  const [full, fullMs] = await elapsed(() => runLedgerVerify(db.pool, { full: true, settleSeconds: 0 }));
  await addCredits(db, accounts, dayEntries, 500);
  const [incremental, incrementalMs] = await elapsed(() => runLedgerVerify(db.pool, { settleSeconds: 0 }));
  return { full, incremental, fullMs, incrementalMs, sequentialReadMs, entries, dayEntries };
}
