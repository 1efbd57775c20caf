import { createHash, randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import type { OperatorRole } from '../db/schema/operators.ts';

/** Who is asking, once a token or a session has been checked. */
export interface Principal {
  /** The operator token's id; null for the bootstrap ADMIN_TOKEN. */
  tokenId: number | null;
  name: string;
  role: OperatorRole;
}

export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** 32 random bytes: no strength check is needed for what the product makes itself. */
export const newSecret = () => randomBytes(32).toString('base64url');

/** Operator names go into the audit trail and the console: short, printable, no spaces. */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class OperatorNameTakenError extends Error {
  override name = 'OperatorNameTakenError';
  constructor(name: string) {
    super(`an operator token named '${name}' already exists (names are never reused, even after revocation)`);
  }
}

/** Stores a new token's hash and returns the token, which is not kept anywhere. */
export async function addOperatorToken(db: Queryable, name: string, role: OperatorRole): Promise<{ id: number; token: string }> {
  const token = `pw_${newSecret()}`;
  try {
    const [result] = await db.query<ResultSetHeader>(
      'INSERT INTO operator_tokens (name, role, token_hash) VALUES (?, ?, ?)', [name, role, sha256Hex(token)],
    );
    return { id: result.insertId, token };
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') throw new OperatorNameTakenError(name);
    throw error;
  }
}

export interface OperatorTokenRow {
  id: number;
  name: string;
  role: OperatorRole;
  created_at: string;
  revoked_at: string | null;
}

export async function listOperatorTokens(db: Queryable): Promise<OperatorTokenRow[]> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT id, name, role, created_at, revoked_at FROM operator_tokens ORDER BY id');
  return rows as OperatorTokenRow[];
}

/** Revokes a name's token and ends its sessions; false when no active token has that name. */
export async function revokeOperatorToken(db: Queryable, name: string): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT id FROM operator_tokens WHERE name = ? AND revoked_at IS NULL', [name]);
  const id = rows[0]?.id as number | undefined;
  if (id === undefined) return false;
  await db.query('UPDATE operator_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE id = ?', [id]);
  await db.query('DELETE FROM admin_sessions WHERE token_id = ?', [id]);
  return true;
}

export async function countActiveOperatorTokens(db: Queryable): Promise<number> {
  const [[row]] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM operator_tokens WHERE revoked_at IS NULL');
  return Number(row!.n);
}

/** The active operator token with this value, if any (looked up by its hash). */
export async function findOperatorToken(db: Queryable, token: string): Promise<Principal | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT id, name, role FROM operator_tokens WHERE token_hash = ? AND revoked_at IS NULL', [sha256Hex(token)],
  );
  const row = rows[0];
  return row ? { tokenId: row.id, name: row.name, role: row.role } : null;
}

export interface Session {
  principal: Principal;
  csrfToken: string;
}

/** Opens a session for a signed-in principal; returns the cookie's value and the anti-forgery token. */
export async function openSession(db: Queryable, principal: Principal, hours: number): Promise<{ sessionId: string; csrfToken: string }> {
  const sessionId = newSecret();
  const csrfToken = randomBytes(32).toString('hex');
  await db.query(
    'INSERT INTO admin_sessions (id_hash, token_id, operator, role, csrf_token, expires_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP + INTERVAL ? HOUR)',
    [sha256Hex(sessionId), principal.tokenId, principal.name, principal.role, csrfToken, hours],
  );
  // Expired rows are only clutter; each sign-in sweeps them.
  await db.query('DELETE FROM admin_sessions WHERE expires_at <= CURRENT_TIMESTAMP');
  return { sessionId, csrfToken };
}

/** The live session with this cookie value: not expired, and its token not revoked since. */
export async function findSession(db: Queryable, sessionId: string): Promise<Session | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT s.token_id, s.operator, s.role, s.csrf_token FROM admin_sessions s
       LEFT JOIN operator_tokens t ON t.id = s.token_id
      WHERE s.id_hash = ? AND s.expires_at > CURRENT_TIMESTAMP AND (s.token_id IS NULL OR t.revoked_at IS NULL)`,
    [sha256Hex(sessionId)],
  );
  const row = rows[0];
  return row ? { principal: { tokenId: row.token_id, name: row.operator, role: row.role }, csrfToken: row.csrf_token } : null;
}

export async function closeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('DELETE FROM admin_sessions WHERE id_hash = ?', [sha256Hex(sessionId)]);
}
