import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { inTransaction } from '../db/transaction.ts';
import type { Fen } from '../domain/money.ts';

export interface LedgerCheckpoint {
  throughEntryId: number;
  maxOrderId: number;
  maxSettlementId: number;
  /** Entries at or below `throughEntryId`. */
  entries: number;
  /** Orders and settlements at or below their max ids. */
  orders: number;
  settlements: number;
}

export interface AccountCheckpoint {
  accountId: number;
  entries: number;
  total: Fen;
  balance: Fen;
}

export async function readCheckpoint(conn: PoolConnection | Pool): Promise<LedgerCheckpoint | null> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT through_entry_id, max_order_id, max_settlement_id, entries, orders, settlements FROM ledger_checkpoint WHERE id = 1',
  );
  const r = rows[0];
  return r ? {
    throughEntryId: Number(r.through_entry_id), maxOrderId: Number(r.max_order_id), maxSettlementId: Number(r.max_settlement_id),
    entries: Number(r.entries), orders: Number(r.orders), settlements: Number(r.settlements),
  } : null;
}

/** The checkpoints of these accounts (absent: no entry folded in yet). */
export async function readAccountCheckpoints(conn: PoolConnection, accountIds: readonly number[]): Promise<Map<number, AccountCheckpoint>> {
  const found = new Map<number, AccountCheckpoint>();
  for (let i = 0; i < accountIds.length; i += 5_000) {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT account_id, entries, total, balance FROM ledger_account_checkpoints WHERE account_id IN (?)', [accountIds.slice(i, i + 5_000)],
    );
    for (const r of rows) found.set(r.account_id, { accountId: r.account_id, entries: r.entries, total: Number(r.total), balance: Number(r.balance) });
  }
  return found;
}

/**
 * Saves a proof that held, in one transaction: `replace` (a full verify) starts the per-account
 * table afresh; otherwise the given accounts are upserted.
 */
export async function saveCheckpoint(pool: Pool, checkpoint: LedgerCheckpoint, accounts: Iterable<AccountCheckpoint>, replace: boolean): Promise<void> {
  await inTransaction(pool, async (conn) => {
    await writeAccountCheckpoints(conn, accounts, replace);
    await writeLedgerCheckpoint(conn, checkpoint);
  });
}

/**
 * A full verify's account checkpoints, written in a transaction of their own while the verify still
 * reads orders and settlements (rewriting them is a fifth of a full verify at province scale). The
 * transaction waits for the verdict: it commits with the ledger checkpoint once the whole proof
 * holds and rolls back otherwise; a transient fault reruns it, as any transaction.
 */
export class EarlyCheckpoint {
  private decide!: (checkpoint: LedgerCheckpoint | null) => void;
  private readonly verdict = new Promise<LedgerCheckpoint | null>((resolve) => (this.decide = resolve));
  private readonly saved: Promise<void>;

  constructor(pool: Pool, accounts: () => Iterable<AccountCheckpoint>) {
    this.saved = inTransaction(pool, async (conn) => {
      await writeAccountCheckpoints(conn, accounts(), true);
      const checkpoint = await this.verdict;
      if (!checkpoint) throw new Abandoned();
      await writeLedgerCheckpoint(conn, checkpoint);
    }).catch((error: unknown) => {
      if (!(error instanceof Abandoned)) throw error;
    });
    // Surfaced by commit.
    this.saved.catch(() => undefined);
  }

  /** The proof held: saves the ledger checkpoint with the accounts'. */
  commit(checkpoint: LedgerCheckpoint): Promise<void> {
    this.decide(checkpoint);
    return this.saved;
  }

  /** The proof did not hold (or failed): nothing is saved. */
  async abandon(): Promise<void> {
    this.decide(null);
    await this.saved.catch(() => undefined);
  }
}

class Abandoned extends Error {}

/** `replace` empties the per-account table first. Batches keep each statement small. */
async function writeAccountCheckpoints(conn: PoolConnection, accounts: Iterable<AccountCheckpoint>, replace: boolean): Promise<void> {
  if (replace) await conn.query('DELETE FROM ledger_account_checkpoints');
  let batch: number[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await conn.query(
      `INSERT INTO ledger_account_checkpoints (account_id, entries, total, balance) VALUES ?
       ON DUPLICATE KEY UPDATE entries = VALUES(entries), total = VALUES(total), balance = VALUES(balance)`, [batch],
    );
    batch = [];
  };
  for (const a of accounts) {
    batch.push([a.accountId, a.entries, a.total, a.balance]);
    if (batch.length >= 5_000) await flush();
  }
  await flush();
}

async function writeLedgerCheckpoint(conn: PoolConnection, checkpoint: LedgerCheckpoint): Promise<void> {
  await conn.query(
    `INSERT INTO ledger_checkpoint (id, through_entry_id, max_order_id, max_settlement_id, entries, orders, settlements, verified_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE through_entry_id = VALUES(through_entry_id), max_order_id = VALUES(max_order_id),
       max_settlement_id = VALUES(max_settlement_id), entries = VALUES(entries), orders = VALUES(orders),
       settlements = VALUES(settlements), verified_at = VALUES(verified_at)`,
    [checkpoint.throughEntryId, checkpoint.maxOrderId, checkpoint.maxSettlementId, checkpoint.entries, checkpoint.orders, checkpoint.settlements],
  );
}
