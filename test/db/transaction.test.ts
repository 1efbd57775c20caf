import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.ts';
import { isDbConnectionFault, isTransientDbError } from '../../src/db/transient.ts';
import { useTestDb } from '../support/db.ts';
import { eventually } from '../support/process.ts';
import { addPerson, balanceOf } from '../support/factories.ts';

const db = await useTestDb('transaction');

describe('transactions', () => {
  it('a real deadlock is rolled back and retried until both transactions commit', async () => {
    const a = await addPerson(db.pool, { psnNo: 'A', balance: 1000 });
    const b = await addPerson(db.pool, { psnNo: 'B', balance: 1000 });
    let attempts = 0;
    let bothLocked!: () => void;
    const firstLocksTaken = new Promise<void>((resolve) => (bothLocked = resolve));
    const move = (from: number, to: number, first: boolean) =>
      inTransaction(db.pool, async (conn) => {
        attempts++;
        await conn.query('SELECT balance FROM accounts WHERE person_id = ? FOR UPDATE', [from]);
        // Both transactions hold their first lock before either asks for its second: a deadlock.
        if (first) bothLocked();
        else await firstLocksTaken;
        await new Promise((r) => setTimeout(r, 50));
        await conn.query('UPDATE accounts SET balance = balance - 1 WHERE person_id = ?', [from]);
        await conn.query('UPDATE accounts SET balance = balance + 1 WHERE person_id = ?', [to]);
      }, { baseDelayMs: 10 });
    await Promise.all([move(a, b, true), move(b, a, false)]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect([await balanceOf(db.pool, a), await balanceOf(db.pool, b)]).toEqual([1000, 1000]);
  });

  it('a non-transient error is not retried and leaves nothing behind', async () => {
    const c = await addPerson(db.pool, { psnNo: 'C', balance: 5 });
    let attempts = 0;
    await expect(inTransaction(db.pool, async (conn) => {
      attempts++;
      await conn.query('UPDATE accounts SET balance = balance + 100 WHERE person_id = ?', [c]);
      // The CHECK constraint refuses a negative balance.
      await conn.query('UPDATE accounts SET balance = -1 WHERE person_id = ?', [c]);
    })).rejects.toThrow();
    expect(attempts).toBe(1);
    expect(await balanceOf(db.pool, c)).toBe(5);
  });

  it('classifies deadlocks, lock timeouts, MariaDB 1020 and lost connections as transient, constraint errors as not', () => {
    expect([1213, 1205, 1020, 2013].map((errno) => isTransientDbError({ errno }))).toEqual([true, true, true, true]);
    expect(isTransientDbError({ code: 'PROTOCOL_CONNECTION_LOST' })).toBe(true);
    expect(isTransientDbError({ errno: 1062, code: 'ER_DUP_ENTRY' })).toBe(false);
    expect(isTransientDbError({ errno: 4025, code: 'ER_CONSTRAINT_FAILED' })).toBe(false);
  });

  it('classifies Galera faults as transient: a node out of the Primary Component, a certification conflict at commit', () => {
    const notReady = { errno: 1047, code: 'ER_UNKNOWN_COM_ERROR', sqlState: '08S01', message: 'WSREP has not yet prepared node for application use' };
    expect(isTransientDbError(notReady)).toBe(true);
    expect(isDbConnectionFault(notReady)).toBe(true);
    expect(isDbConnectionFault({ errno: 1180, message: "Got error 6 \"No such device or address\" during COMMIT: Not connected to Primary Component" })).toBe(true);
    // A certification conflict is retried at once, it is not an outage.
    const conflict = { errno: 1213, code: 'ER_LOCK_DEADLOCK', message: 'Deadlock found when trying to get lock; try restarting transaction' };
    expect(isTransientDbError(conflict)).toBe(true);
    expect(isDbConnectionFault(conflict)).toBe(false);
  });

  it('drops the connection that met a connection fault instead of returning it to the pool', async () => {
    const seen: number[] = [];
    let attempts = 0;
    await inTransaction(db.pool, async (conn) => {
      seen.push(conn.threadId);
      if (++attempts === 1) throw Object.assign(new Error('WSREP has not yet prepared node for application use'), { errno: 1047 });
    }, { baseDelayMs: 1 });
    expect(attempts).toBe(2);
    expect(seen[1]).not.toBe(seen[0]);
    // The server sees the dropped socket close.
    await eventually(async () => {
      const [[row]] = (await db.pool.query('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ?', [seen[0]])) as unknown as [[{ n: number }]];
      return Number(row.n) === 0;
    }, 10_000, 'the dropped connection to close');
  });
});
