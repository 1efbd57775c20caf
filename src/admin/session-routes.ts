import express, { type Request, type Response } from 'express';
import type { Queryable } from '../db/client.ts';
import { closeSession, openSession } from '../operations/operator-tokens.ts';
import { type AuthLocals, type Bootstrap, principalOfToken, SESSION_COOKIE, sessionCookie } from './auth.ts';
import { html } from './html.ts';
import { page } from './console/layout.ts';

function loginPage(res: Response, status: number, error?: string): void {
  const body = html`<section class="card login">
<h2>Sign in</h2>
${error ? html`<p class="alert" id="login-error">${error}</p>` : ''}
<form method="post" action="/login">
  <label for="token">Your operator token</label>
  <input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
<p class="muted">Tokens are made with <code>premium-worker admin token add NAME --role viewer|operator</code>.</p>
</section>`;
  res.status(status).type('html').set('Cache-Control', 'no-store').send(page({ title: 'Sign in · premium-worker', body }).text);
}

/** A form posted from another site: SameSite keeps its cookie away, this keeps it from signing in. */
function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  return origin !== undefined && origin !== 'null' && new URL(origin).host !== req.get('host');
}

/** Sign-in (public) and sign-out; sessions live in the database for `hours`. */
export function sessionRoutes(db: Queryable, bootstrap: Bootstrap | null, hours: number) {
  const publicRoutes = express.Router();
  publicRoutes.get('/login', (_req, res) => loginPage(res, 200));
  publicRoutes.post('/login', async (req, res) => {
    if (crossSite(req)) return loginPage(res, 403, 'This sign-in did not come from this console.');
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const principal = await principalOfToken(db, bootstrap, token);
    if (!principal) return loginPage(res, 401, 'Unknown or revoked token.');
    const { sessionId } = await openSession(db, principal, hours);
    res.cookie(SESSION_COOKIE, sessionId, {
      httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: hours * 3600_000,
    });
    res.redirect(303, '/');
  });

  const signedIn = express.Router();
  signedIn.post('/logout', async (req, res) => {
    const sessionId = sessionCookie(req);
    if (sessionId && (res.locals as AuthLocals).csrfToken) await closeSession(db, sessionId);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.redirect(303, '/login');
  });
  return { publicRoutes, signedIn };
}
