import { createHash } from 'node:crypto';
import { appRoutes } from '@bull-board/api/dist/routes.js';
import type { RowDataPacket } from 'mysql2/promise';
import { beforeEach, describe, expect, it } from 'vitest';
import { addOperatorToken } from '../../src/operations/operator-tokens.ts';
import { useAdminServer, signIn, startAdminCli } from '../support/admin.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('admin_access');
const app = useTestApp(db.url);
const pool = db.pool;
const BOOTSTRAP = 'access-bootstrap-9f8e7d6c5b4a';
const base = await useAdminServer(app, { token: BOOTSTRAP, name: 'bootstrap-ops' });
const cliEnv = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, ADMIN_TOKEN_NAME: 'bootstrap-ops' };

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function audit(): Promise<{ operator: string; source: string; action: string }[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT operator, source, action FROM operator_actions ORDER BY id');
  return rows as { operator: string; source: string; action: string }[];
}

async function runsOf(campaignId: number): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM campaign_runs WHERE campaign_id = ?', [campaignId]);
  return Number(row!.n);
}

/** A campaign with one order failed INSUFFICIENT_BALANCE: something a retry would act on. */
async function campaignWithFailure(): Promise<number> {
  const payer = await addPerson(pool, { psnNo: `E${Math.random().toString(36).slice(2, 10)}`, balance: 0 });
  await bind(pool, payer, await addPerson(pool, { psnNo: `R${Math.random().toString(36).slice(2, 10)}` }));
  const campaignId = await addCampaign(app);
  await runToEnd(app, { campaignId, kind: 'run' });
  return campaignId;
}

beforeEach(async () => {
  for (const table of ['admin_sessions', 'operator_tokens', 'operator_actions']) await pool.query(`DELETE FROM ${table}`);
});

describe('operator tokens', () => {
  it('admin token add prints a token once and stores only its sha256; list never shows it; names are unique', async () => {
    const added = await runCli(['admin', 'token', 'add', 'alice', '--role', 'operator'], cliEnv);
    expect(added.code).toBe(0);
    const token = added.stdout.trim();
    expect(token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    expect(added.stderr).toContain('shown this once');
    const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM operator_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'alice', role: 'operator', token_hash: createHash('sha256').update(token).digest('hex'), revoked_at: null });
    expect(JSON.stringify(rows)).not.toContain(token);

    const listed = await runCli(['admin', 'token', 'list', '--json'], cliEnv);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'alice', role: 'operator', revoked_at: null })]);
    expect(listed.stdout).not.toContain(token);

    const again = await runCli(['admin', 'token', 'add', 'alice', '--role', 'viewer'], cliEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("named 'alice' already exists");
    expect((await runCli(['admin', 'token', 'add', 'bob', '--role', 'root'], cliEnv)).code).toBe(1);
    const bootstrapName = await runCli(['admin', 'token', 'add', 'bootstrap-ops', '--role', 'viewer'], cliEnv);
    expect(bootstrapName.code).toBe(1);
    expect(bootstrapName.stderr).toContain('ADMIN_TOKEN_NAME');
    expect(await pool.query<RowDataPacket[]>('SELECT name FROM operator_tokens').then(([r]) => r.map((x) => x.name))).toEqual(['alice']);
  });

  it('the API takes each operator token as Bearer, trimmed, and audits actions under its name; revoking stops it at once', async () => {
    const campaignId = await campaignWithFailure();
    const { token } = await addOperatorToken(pool, 'carol', 'operator');
    const whoami = await fetch(`${base}/api/whoami`, { headers: { Authorization: `Bearer    ${token}  ` } });
    expect(await whoami.json()).toEqual({ name: 'carol', role: 'operator', bootstrap: false });
    const retried = await fetch(`${base}/api/retry`, {
      method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ campaignId, code: 'INSUFFICIENT_BALANCE' }),
    });
    expect(retried.status).toBe(202);
    const session = await signIn(base, token);
    expect(await audit()).toEqual([{ operator: 'carol', source: 'api', action: 'retry' }]);

    expect((await runCli(['admin', 'token', 'revoke', 'carol'], cliEnv)).code).toBe(0);
    expect((await fetch(`${base}/api/whoami`, { headers: bearer(token) })).status).toBe(401);
    expect((await fetch(`${base}/api/whoami`, { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await runCli(['admin', 'token', 'revoke', 'carol'], cliEnv)).code).toBe(1);
    const [[row]] = await pool.query<RowDataPacket[]>('SELECT revoked_at FROM operator_tokens WHERE name = ?', ['carol']);
    expect(row!.revoked_at).not.toBeNull();
  });

  it('ADMIN_TOKEN signs in as ADMIN_TOKEN_NAME with the operator role', async () => {
    const whoami = await fetch(`${base}/api/whoami`, { headers: bearer(BOOTSTRAP) });
    expect(await whoami.json()).toEqual({ name: 'bootstrap-ops', role: 'operator', bootstrap: true });
  });
});

describe('console sessions', () => {
  it('sign-in sets an HttpOnly, SameSite=Strict cookie with an expiry; a wrong token gets the form again; sign-out and expiry end the session', async () => {
    const wrong = await fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: 'not-a-token-of-anyone-1234' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('Unknown or revoked token');

    const { token } = await addOperatorToken(pool, 'dora', 'viewer');
    const session = await signIn(base, `  ${token}\n`);
    expect(session.setCookie).toMatch(/^pw_session=[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const [stored] = await pool.query<RowDataPacket[]>('SELECT id_hash, operator, role FROM admin_sessions');
    expect(stored).toEqual([{ id_hash: createHash('sha256').update(session.cookie.split('=')[1]!).digest('hex'), operator: 'dora', role: 'viewer' }]);
    expect(await (await fetch(`${base}/api/whoami`, { headers: { cookie: session.cookie } })).json()).toMatchObject({ name: 'dora' });

    // Signing out is allowed to a viewer, and needs the anti-forgery token like every cookie POST.
    expect((await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: session.cookie } })).status).toBe(403);
    const out = await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: session.csrf }) });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await fetch(`${base}/api/whoami`, { headers: { cookie: session.cookie } })).status).toBe(401);

    const later = await signIn(base, token);
    await pool.query('UPDATE admin_sessions SET expires_at = CURRENT_TIMESTAMP - INTERVAL 1 SECOND');
    expect((await fetch(`${base}/api/whoami`, { headers: { cookie: later.cookie } })).status).toBe(401);
    const page = await fetch(`${base}/`, { redirect: 'manual', headers: { cookie: later.cookie, accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
  });

  it('a POST with the session cookie needs the anti-forgery token; with it, an operator retries from the console, audited under their name', async () => {
    const campaignId = await campaignWithFailure();
    const { token } = await addOperatorToken(pool, 'erin', 'operator');
    const session = await signIn(base, token);
    const fields = { campaign_id: String(campaignId), code: 'INSUFFICIENT_BALANCE' };
    const post = (path: string, headers: Record<string, string>, body: string) =>
      fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: session.cookie, ...headers }, body });
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };

    expect((await post('/console/retry', formType, new URLSearchParams(fields).toString())).status).toBe(403);
    expect((await post('/console/retry', formType, new URLSearchParams({ ...fields, _csrf: 'f'.repeat(64) }).toString())).status).toBe(403);
    const jsonType = { 'content-type': 'application/json' };
    expect((await post('/api/retry', jsonType, JSON.stringify({ campaignId }))).status).toBe(403);
    expect((await post('/api/retry', { ...jsonType, 'x-csrf-token': 'nope' }, JSON.stringify({ campaignId }))).status).toBe(403);
    expect(await audit()).toEqual([]);
    expect(await runsOf(campaignId)).toBe(1);

    const done = await post('/console/retry', formType, new URLSearchParams({ ...fields, _csrf: session.csrf }).toString());
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(/^\/\?retried=\d+#failures$/);
    expect((await post('/api/retry', { ...jsonType, 'x-csrf-token': session.csrf }, JSON.stringify({ campaignId }))).status).toBe(202);
    expect(await audit()).toEqual([{ operator: 'erin', source: 'console', action: 'retry' }, { operator: 'erin', source: 'api', action: 'retry' }]);
  });

  it('a sign-in posted from another site is refused', async () => {
    const { token } = await addOperatorToken(pool, 'fred', 'operator');
    const res = await fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, body: new URLSearchParams({ token }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('a viewer cannot change anything', () => {
  /** Every state-changing endpoint: ours, and each of the BullMQ dashboard's (read-only for everyone, refused to viewers before it is reached). */
  const endpoints: { method: string; path: string; body?: unknown }[] = [
    { method: 'POST', path: '/api/retry', body: { campaignId: 1 } },
    { method: 'POST', path: '/console/retry', body: { campaign_id: '1', code: 'INSUFFICIENT_BALANCE' } },
    // Anything added later is covered by the same guard, found or not.
    { method: 'POST', path: '/api/an-endpoint-added-later', body: {} },
    { method: 'DELETE', path: '/api/actions', body: {} },
    ...appRoutes.api.flatMap((r) => [r.method].flat().filter((m) => m !== 'get').flatMap((method) => [r.route].flat().map((route) => ({
      method: method.toUpperCase(), path: `/queues${route.replace(':queueName', 'payments').replace(/:[A-Za-z]+/g, 'x')}`, body: {},
    })))),
  ];

  it.each(['Bearer', 'session'])('through %s: every state-changing endpoint answers 403 and nothing is recorded or enqueued', async (via) => {
    const campaignId = await campaignWithFailure();
    const { token } = await addOperatorToken(pool, `viewer-${via}`, 'viewer');
    const session = via === 'session' ? await signIn(base, token) : undefined;
    const auth: Record<string, string> = session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : bearer(token);
    const jobsBefore = await app.queues.get('campaigns').getJobCounts();
    expect(endpoints.length).toBeGreaterThan(20);
    for (const e of endpoints) {
      const body = JSON.stringify(e.path === '/api/retry' ? { campaignId } : e.body);
      const res = await fetch(`${base}${e.path}`, { method: e.method, redirect: 'manual', headers: { ...auth, 'content-type': 'application/json' }, body });
      expect(res.status, `${e.method} ${e.path}`).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain('viewer token');
    }
    // The console shows a viewer no working retry button.
    if (session) {
      const page = await (await fetch(`${base}/`, { headers: { cookie: session.cookie } })).text();
      expect(page).toContain('disabled title="a viewer token cannot retry"');
    }
    expect(await audit()).toEqual([]);
    expect(await runsOf(campaignId)).toBe(1);
    expect(await app.queues.get('campaigns').getJobCounts()).toEqual(jobsBefore);
  });
});

describe('admin edges', () => {
  // Every weakness is a unit test (token-strength); here, that the server refuses to start on one.
  it('refuses to start with an ADMIN_TOKEN of 16 spaces or of low entropy, in one line', async () => {
    const cases: [string, string][] = [
      [' '.repeat(16), 'ADMIN_TOKEN is empty or only whitespace'],
      ['a'.repeat(32), 'ADMIN_TOKEN has too little entropy'],
    ];
    for (const [token, reason] of cases) {
      const result = await runCli(['admin', '--port', '0'], { ...cliEnv, ADMIN_TOKEN: token });
      expect(result.code, JSON.stringify(token)).toBe(1);
      expect(result.stderr).toContain(reason);
      expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('trims ADMIN_TOKEN; a body over the limit answers 413 without an error in the log', async () => {
    const admin = await startAdminCli({ ...cliEnv, ADMIN_TOKEN: `  ${BOOTSTRAP}\n` });
    expect((await fetch(`${admin.base}/api/whoami`, { headers: bearer(BOOTSTRAP) })).status).toBe(200);
    const big = JSON.stringify({ campaignId: 1, padding: 'x'.repeat(20_000) });
    const res = await fetch(`${admin.base}/api/retry`, { method: 'POST', headers: { ...bearer(BOOTSTRAP), 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    const formRes = await fetch(`${admin.base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${'x'.repeat(20_000)}` });
    expect(formRes.status).toBe(413);
    // The log is written asynchronously: a request after these shows everything before it was handled.
    expect((await fetch(`${admin.base}/api/whoami`, { headers: bearer(BOOTSTRAP) })).status).toBe(200);
    expect(admin.log()).not.toMatch(/"level":50|admin request failed/);
  });

  it('starts without ADMIN_TOKEN once an operator token exists', async () => {
    await addOperatorToken(pool, 'gina', 'operator');
    const admin = await startAdminCli({ ...cliEnv, ADMIN_TOKEN: '' });
    expect((await fetch(`${admin.base}/api/whoami`, { headers: bearer(BOOTSTRAP) })).status).toBe(401);
  });
});
