import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, onTestFinished } from 'vitest';
import type { Bootstrap } from '../../src/admin/auth.ts';
import { createAdminApp, listen } from '../../src/admin/server.ts';
import type { App } from '../../src/app.ts';
import { eventually, exited, spawnTracked } from './process.ts';

/** An admin server of this test file, in process, closed after the file; returns its base URL. */
export async function useAdminServer(app: App, bootstrap: Bootstrap | null): Promise<string> {
  const { server, port } = await listen(createAdminApp(app, { bootstrap }), '127.0.0.1', 0);
  afterAll(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return `http://127.0.0.1:${port}`;
}

export interface Signed {
  /** The Cookie header to send. */
  cookie: string;
  /** The Set-Cookie header the sign-in answered. */
  setCookie: string;
  csrf: string;
}

/** Signs in through the login form like a browser, and reads the anti-forgery token off the console page. */
export async function signIn(base: string, token: string): Promise<Signed> {
  const res = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${base}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([0-9a-f]+)">/.exec(page)?.[1];
  if (!csrf) throw new Error('no anti-forgery token on the console page');
  return { cookie, setCookie, csrf };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `premium-worker admin --port 0` as a child process of the calling test, with its log (stderr)
 * kept; stopped when the test ends (and killed with its group after the file, should that fail).
 */
export async function startAdminCli(env: Record<string, string>): Promise<{ base: string; child: ChildProcess; log: () => string }> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'admin', '--port', '0'], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let log = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (log += d));
  // Called inside a test: a hook registered with afterAll there would never run.
  onTestFinished(async () => {
    child.kill('SIGTERM');
    await exited(child);
  });
  const url = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`admin exited ${child.exitCode}: ${log}`);
    return /listening on (http:\/\/\S+?)\/?\n/.exec(out)?.[1];
  }, 60_000, 'the admin server to listen');
  return { base: url as string, child, log: () => log };
}
