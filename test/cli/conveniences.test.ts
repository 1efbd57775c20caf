import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/env.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { personRow, settlementRow, writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';
import { addInstitution } from '../support/recon.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const db = await useTestDb('cli_conveniences');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

describe('small conveniences', () => {
  it('--version prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'], env)).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('.env.example lists every setting with its default', () => {
    const text = readFileSync(path.join(root, '.env.example'), 'utf8');
    const listed: Record<string, string | undefined> = { ...parseEnv(text) };
    for (const [, name] of text.matchAll(/^# ([A-Z][A-Z0-9_]*)=$/gm)) listed[name!] = undefined;
    const defaults = envSchema.parse({});
    expect(Object.keys(listed).sort()).toEqual(Object.keys(envSchema.shape).sort());
    for (const [name, value] of Object.entries(defaults)) expect([name, listed[name]]).toEqual([name, value === undefined ? undefined : String(value)]);
  });

  it('--env-file reads settings from a file, before or after the command', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'env-file-')), 'settings.env');
    writeFileSync(file, 'CHUNK_SIZE=0\n');
    for (const args of [['--env-file', file, 'status'], ['status', '--env-file', file]]) {
      const run = await runCli(args, env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: invalid environment variable CHUNK_SIZE: /);
    }
  });

  it('exports to a folder or a path that cannot be written fail before any work and leave no .partial', async () => {
    const campaignId = await addCampaign(app);
    const dir = mkdtempSync(path.join(tmpdir(), 'export-target-'));
    const folder = path.join(dir, 'reports');
    mkdirSync(folder);
    const asFolder = await runCli(['orders', 'export', '--campaign', String(campaignId), '--out', folder], env);
    expect(asFolder).toMatchObject({ code: 1, stdout: '', stderr: `error: cannot write ${folder}: it is a folder; give a file name\n` });
    writeFileSync(path.join(dir, 'plain-file'), '');
    const underFile = path.join(dir, 'plain-file', 'orders.csv');
    const blocked = await runCli(['orders', 'export', '--campaign', String(campaignId), '--out', underFile], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^error: cannot write \S+orders\.csv: /);
    expect(readdirSync(dir).sort()).toEqual(['plain-file', 'reports']);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('two imports of the same settlements file at once apply each row once; the other sees it unchanged', async () => {
    await addInstitution(db.pool, 'H001');
    const persons = Array.from({ length: 300 }, (_, i) => personRow(`CS${i}`));
    expect((await runCli(['import', 'persons', writeImportFile('persons.csv', persons)], env)).code).toBe(0);
    const rows = Array.from({ length: 3000 }, (_, i) => settlementRow(`CSET${i}`, `CS${i % 300}`, 'H001', '1.00'));
    const file = writeImportFile('settlements.csv', rows);
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['import', 'settlements', file, '--json'], env)));
    // A deadlock between the imports is a transient fault (retried, logged as a warning), never an error.
    for (const run of runs) expect([run.code, run.stderr.match(/^error.*$/m)]).toEqual([0, null]);
    const summaries = runs.map((run) => JSON.parse(run.stdout) as { imported: number; unchanged: number; rejected: number });
    expect(summaries.reduce((n, s) => n + s.imported, 0)).toBe(3000);
    expect(summaries.reduce((n, s) => n + s.unchanged, 0)).toBe(6000);
    const [[count]] = (await db.pool.query("SELECT COUNT(*) AS n FROM settlements WHERE setl_id LIKE 'CSET%'")) as unknown as [{ n: number }[]];
    expect(Number(count!.n)).toBe(3000);
  });
});
