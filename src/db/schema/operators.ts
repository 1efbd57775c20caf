import { index, int, mysqlEnum, mysqlTable, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { asciiKey } from './columns.ts';

export const OPERATOR_ROLES = ['viewer', 'operator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/**
 * One admin token per operator. Only the token's sha256 is kept: the token itself is printed once
 * by `admin token add` and cannot be read back. A revoked token stays, so its name stays taken and
 * the audit trail keeps meaning one person.
 */
export const operatorTokens = mysqlTable(
  'operator_tokens',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    /** Who the audit trail records for actions taken with this token. */
    name: varchar('name', { length: 64 }).notNull(),
    /** viewer: reads only; operator: reads and acts (retries). */
    role: mysqlEnum('role', OPERATOR_ROLES).notNull(),
    /** Lowercase hex sha256 of the token. */
    tokenHash: asciiKey('token_hash', 64).notNull(),
    createdAt: timestamp('created_at').notNull().defaultNow(),
    /** Set by `admin token revoke`; the token and its sessions stop working at once. */
    revokedAt: timestamp('revoked_at'),
  },
  (t) => [
    // Serves finding the token of a request; also keeps two operators from sharing a token.
    uniqueIndex('operator_tokens_hash_uq').on(t.tokenHash),
    // One name, one person: a name is never reused, even after revocation.
    uniqueIndex('operator_tokens_name_uq').on(t.name),
  ],
);

/**
 * Console sessions, created by signing in with a token. The browser holds the session id in an
 * HttpOnly cookie; only its sha256 is stored here, so a copy of the table signs nobody in.
 */
export const adminSessions = mysqlTable(
  'admin_sessions',
  {
    /** Lowercase hex sha256 of the session id in the cookie. */
    idHash: asciiKey('id_hash', 64).primaryKey(),
    /** The operator token it was opened with; null for the bootstrap ADMIN_TOKEN. */
    tokenId: int('token_id', { unsigned: true }),
    /** Copied from the token (or ADMIN_TOKEN_NAME) at sign-in. */
    operator: varchar('operator', { length: 64 }).notNull(),
    role: mysqlEnum('role', OPERATOR_ROLES).notNull(),
    /** Anti-forgery token every state-changing request with the cookie must repeat. */
    csrfToken: asciiKey('csrf_token', 64).notNull(),
    createdAt: timestamp('created_at').notNull().defaultNow(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [
    // Serves ending a revoked token's sessions.
    index('admin_sessions_token_idx').on(t.tokenId),
  ],
);
