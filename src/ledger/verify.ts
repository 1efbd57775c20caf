import type { Pool, PoolConnection } from 'mysql2/promise';
import { EarlyCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { LedgerReport } from './verify-checks.ts';
import { verifyFromZero } from './verify-full.ts';
import { verifySinceCheckpoint } from './verify-incremental.ts';

export type { LedgerProblem, LedgerReport } from './verify-checks.ts';
export { LEDGER_PASS_SQL } from './verify-full.ts';

export interface VerifyOptions {
  /** Prove everything from zero even when a checkpoint exists. */
  full?: boolean;
  maxProblems?: number;
  /**
   * Entries younger than this are proved but not folded into the checkpoint: an id is assigned at
   * INSERT, before commit, so a transaction still open may yet commit an id below the newest one seen.
   */
  settleSeconds?: number;
}

export const DEFAULT_SETTLE_SECONDS = 300;

/** A read-only transaction on one connection: every read of a verify sees the same ledger. */
async function inSnapshot<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    try {
      return await work(conn);
    } finally {
      await conn.query('COMMIT');
    }
  } finally {
    conn.release();
  }
}

/**
 * The ledger invariants. For every account: opening balance + Σ entries (credits, adjustments,
 * refunds, negative debits) = balance. For every paid order Σ debits = premium, for every other
 * order (refunded included) entries summing to zero, and for a refunded order every debit credited
 * back to its own account, no more, and at least one. For every settlement its ledger entries equal
 * acct_pay + acct_mulaid_pay (negated for debits). A full verify reads the ledger once in id order
 * (`verifyFromZero`); an incremental one only what changed since the checkpoint
 * (`verifySinceCheckpoint`). A verify that holds advances the checkpoint; one that does not leaves
 * it where it was.
 */
export async function runLedgerVerify(pool: Pool, options: VerifyOptions = {}): Promise<LedgerReport> {
  const limit = options.maxProblems ?? 100;
  const settle = options.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  const checkpoint = options.full ? null : await readCheckpoint(pool);
  let early: EarlyCheckpoint | undefined;
  const { report, save } = await inSnapshot(pool, (conn) => (checkpoint
    ? verifySinceCheckpoint(conn, checkpoint, limit, settle)
    : verifyFromZero(conn, limit, settle, (accounts) => (early = new EarlyCheckpoint(pool, accounts)))))
    .catch(async (error: unknown) => {
      await early?.abandon();
      throw error;
    });
  if (report.problems.length === 0) {
    if (early) await early.commit(save.checkpoint);
    else await saveCheckpoint(pool, save.checkpoint, save.accounts, report.mode === 'full');
    report.checkpointEntryId = save.checkpoint.throughEntryId;
  } else {
    await early?.abandon();
    report.checkpointEntryId = checkpoint?.throughEntryId ?? (await readCheckpoint(pool))?.throughEntryId ?? null;
  }
  return report;
}

/** Full verify from zero: kept under its old name for callers that want the whole proof. */
export function verifyLedger(pool: Pool, maxProblems = 100): Promise<LedgerReport> {
  return runLedgerVerify(pool, { full: true, maxProblems, settleSeconds: 0 });
}
