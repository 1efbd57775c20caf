import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { eventually, exited } from '../support/process.ts';
import { addInstitution, deliver, HEADER, newFolders, row } from '../support/recon.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; scripts: Record<string, string> };
const bin = path.join(root, manifest.bin['premium-worker']!);

const db = await useTestDb('compiled_bin');
const app = useTestApp(db.url);

/** Runs the installed bin with a trace of every module it loads. */
function runTraced(args: string[]): { code: number; stdout: string; stderr: string; modules: string[] } {
  const trace = path.join(mkdtempSync(path.join(tmpdir(), 'module-trace-')), 'modules.txt');
  const result = spawnSync(process.execPath, ['--import', path.join(root, 'test/support/module-trace.mjs'), bin, ...args], {
    cwd: root, encoding: 'utf8',
    env: { ...process.env, MODULE_TRACE_FILE: trace, DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, modules: readFileSync(trace, 'utf8').trim().split('\n') };
}

beforeAll(() => {
  // The bin is built by `prepare` on npm ci; built again here so it is this checkout's code.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
});

describe('the installed bin', () => {
  it('is compiled JavaScript built by prepare, and runs --help, status and a reconciliation without the TypeScript loader', async () => {
    expect(manifest.scripts.prepare).toMatch(/build/);
    expect(bin).toMatch(/\.js$/);
    // A smaller young generation keeps a million-row reconciliation under 300 MB (BENCHMARKS.md).
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env -S node --max-semi-space-size=4\n')).toBe(true);
    expect(execFileSync(bin, ['--version'], { cwd: root, encoding: 'utf8' }).trim()).toBe(manifest.version);

    const help = runTraced(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: premium-worker');
    const status = runTraced(['status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });

    await addInstitution(db.pool, 'B001');
    const folders = newFolders();
    deliver(folders, 'B001_20261120.csv', [HEADER, row({ setlId: 'B1', code: 'B001', setlTime: '2026-11-20 08:00:00' })]);
    const recon = runTraced(['recon', 'run', '--date', '2026-11-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait']);
    expect(recon.stdout).toContain('B001_20261120.csv: reconciled, 1 rows');
    expect(recon.code).toBe(0);

    for (const run of [help, status, recon]) {
      expect(run.modules.length).toBeGreaterThan(10);
      expect(run.modules.filter((url) => /\/node_modules\/(tsx|esbuild|typescript)\/|\.ts$/.test(url))).toEqual([]);
    }
  });

  it('serves the console with its script shipped beside the bin, not bundled at run time', async () => {
    const child = spawn(process.execPath, [bin, 'admin', '--port', '0'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, ADMIN_TOKEN: 'compiled-bin-7f6e5d4c3b2a1908', LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    try {
      const base = await eventually(async () => /listening on (http:\/\/\S+?)\/?\n/.exec(out)?.[1], 60_000, 'the compiled admin to listen');
      const script = await fetch(`${base}/console/assets/console.js`);
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(10_000);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
