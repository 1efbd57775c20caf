import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../db/client.ts';
import { findOperatorToken, findSession, type Principal } from '../operations/operator-tokens.ts';

export const SESSION_COOKIE = 'pw_session';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

export interface Bootstrap {
  /** ADMIN_TOKEN, trimmed and checked for strength at startup. */
  token: string;
  /** ADMIN_TOKEN_NAME. */
  name: string;
}

/** What authentication left on `res.locals` for the routes. */
export interface AuthLocals {
  principal: Principal;
  /** Set when the request came with the session cookie: state changes must repeat it. */
  csrfToken?: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares in constant time. Hashing first gives both sides the same length, so neither the
 * content nor the length of the token leaks through response timing.
 */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * The token of an `Authorization: Bearer <token>` header, trimmed. Basic auth is not taken: a
 * browser replays Basic credentials on any site's request, so a forged form could act with them.
 */
export function bearerToken(header: string): string | null {
  const match = /^Bearer\s+(.+)$/is.exec(header.trim());
  return match ? match[1]!.trim() : null;
}

/** The bootstrap ADMIN_TOKEN or an active operator token, as the principal it stands for. */
export async function principalOfToken(db: Queryable, bootstrap: Bootstrap | null, token: string): Promise<Principal | null> {
  if (token.length === 0) return null;
  if (bootstrap && tokenMatches(bootstrap.token, token)) return { tokenId: null, name: bootstrap.name, role: 'operator' };
  return findOperatorToken(db, token);
}

export function sessionCookie(req: Request): string | undefined {
  return parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
}

function refuse(req: Request, res: Response): void {
  if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
    res.redirect(303, '/login');
    return;
  }
  res.set('WWW-Authenticate', 'Bearer realm="premium-worker"');
  res.status(401).json({ error: 'unauthorized: send Authorization: Bearer <token>, or sign in at /login' });
}

/**
 * Every request past this point is made by a known operator: with `Authorization: Bearer` (the API,
 * scripts, Prometheus) or with the console's session cookie. A request that sends an Authorization
 * header is judged by it alone.
 */
export function authenticate(db: Queryable, bootstrap: Bootstrap | null) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const token = bearerToken(header);
      const principal = token === null ? null : await principalOfToken(db, bootstrap, token);
      if (!principal) return refuse(req, res);
      res.locals.principal = principal;
      return next();
    }
    const sessionId = sessionCookie(req);
    const session = sessionId ? await findSession(db, sessionId) : null;
    // A session of the bootstrap token ends when this server no longer has one.
    if (!session || (session.principal.tokenId === null && !bootstrap)) return refuse(req, res);
    res.locals.principal = session.principal;
    res.locals.csrfToken = session.csrfToken;
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths a viewer may still POST to: leaving is not a change. */
const VIEWER_POSTS = new Set(['/logout']);

/**
 * Guards every state-changing request in one place, so an endpoint added later cannot forget it:
 * with the cookie it must repeat the session's anti-forgery token (header or form field), and only
 * an `operator` may change anything.
 */
export function guardChanges(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const locals = res.locals as AuthLocals;
  if (locals.csrfToken !== undefined) {
    const given = req.get(CSRF_HEADER) ?? (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (typeof given !== 'string' || !tokenMatches(locals.csrfToken, given)) {
      res.status(403).json({ error: 'forbidden: missing or wrong anti-forgery token; reload the page and try again' });
      return;
    }
  }
  if (locals.principal.role !== 'operator' && !VIEWER_POSTS.has(req.path)) {
    res.status(403).json({ error: `forbidden: ${locals.principal.name} has a viewer token, which cannot change anything` });
    return;
  }
  next();
}
