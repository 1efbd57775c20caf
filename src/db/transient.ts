/**
 * Faults that go away when tried again: they must never become a business failure.
 * 1213 deadlock (on Galera also a certification conflict at commit), 1205 lock wait timeout, 1020
 * MariaDB "record has changed since last read" (optimistic check under snapshot isolation), 1317
 * query interrupted, plus every connection fault below.
 */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1020, 1317]);
const TRANSIENT_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD', 'ER_QUERY_INTERRUPTED']);

/**
 * The database itself is out of reach, or this node may not serve: 2006/2013 server gone / lost
 * during query, 1927 connection killed, 1053 server shutdown, 1040 too many connections, and Galera's
 * 1047 "WSREP has not yet prepared node for application use" (a node cut off from the Primary
 * Component, or still joining). Waiting, not the job's attempts, is the cure.
 */
const CONNECTION_ERRNOS = new Set([2006, 2013, 1927, 1053, 1040, 1047]);
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_UNKNOWN_COM_ERROR', 'ER_CON_COUNT_ERROR',
]);
/** Galera says it in words too (a certification conflict, by contrast, is a plain 1213 deadlock). */
const CONNECTION_MESSAGES = /Can't add new command when connection is in closed state|Connection lost|WSREP has not yet prepared node|Not connected to Primary Component/i;

interface DbError {
  errno?: number;
  code?: string;
  fatal?: boolean;
  message?: string;
}

function asDbError(error: unknown): DbError | undefined {
  return error && typeof error === 'object' ? (error as DbError) : undefined;
}

/** The connection, the server or the cluster node failed, not the statement: drop the connection and wait for the database. */
export function isDbConnectionFault(error: unknown): boolean {
  const e = asDbError(error);
  if (!e) return false;
  if (e.errno !== undefined && CONNECTION_ERRNOS.has(e.errno)) return true;
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) return true;
  // mysql2 marks errors that closed the connection as fatal; the next connection from the pool is fresh.
  if (e.fatal === true) return true;
  return CONNECTION_MESSAGES.test(e.message ?? '');
}

export function isTransientDbError(error: unknown): boolean {
  const e = asDbError(error);
  if (!e) return false;
  if (e.errno !== undefined && TRANSIENT_ERRNOS.has(e.errno)) return true;
  if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
  return isDbConnectionFault(error);
}

/** A unique key already taken: by a concurrent transaction, when a unit's reads said it was free. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ER_DUP_ENTRY';
}
