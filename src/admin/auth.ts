import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Shorter tokens are refused at startup: the server moves money on request. */
export const MIN_TOKEN_LENGTH = 16;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares in constant time. Hashing first gives both sides the same length, so neither the
 * content nor the length of the token leaks through response timing.
 */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token of an `Authorization` header: `Bearer <token>`, or for browsers Basic auth with the token as password. */
export function presentedToken(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

/**
 * Every request, dashboard pages and assets included, must carry the token. Browsers cannot add a
 * Bearer header to a page load, so the 401 also offers Basic auth: the browser asks once and then
 * sends the token with every request.
 */
export function requireToken(expected: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = presentedToken(req.get('authorization'));
    if (given !== null && tokenMatches(expected, given)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', ['Bearer realm="premium-worker"', 'Basic realm="premium-worker", charset="UTF-8"']);
    res.status(401).json({ error: 'unauthorized: send Authorization: Bearer <ADMIN_TOKEN>' });
  };
}
