/**
 * Faults that go away when tried again: they must never become a business failure.
 * 1213 deadlock, 1205 lock wait timeout, 1020 MariaDB "record has changed since last read"
 * (optimistic check under snapshot isolation), 2006/2013 server gone / lost during query,
 * 1927 MariaDB connection killed, 1053 server shutdown, 1040 too many connections.
 */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1020, 2006, 2013, 1927, 1053, 1040, 1317]);
const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH',
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD', 'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN',
  'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_QUERY_INTERRUPTED',
]);

export function isTransientDbError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { errno?: number; code?: string; fatal?: boolean; message?: string };
  if (e.errno !== undefined && TRANSIENT_ERRNOS.has(e.errno)) return true;
  if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
  // mysql2 marks errors that closed the connection as fatal; the next connection from the pool is fresh.
  if (e.fatal === true) return true;
  return /Can't add new command when connection is in closed state|Connection lost/i.test(e.message ?? '');
}

/** A unique key already taken: by a concurrent transaction, when a unit's reads said it was free. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ER_DUP_ENTRY';
}
