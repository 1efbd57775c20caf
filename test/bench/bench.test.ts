import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

/** The figures BENCHMARKS.md is made of: a bench that stops producing one of them has rotted. */
const RATES = [
  'campaign_orders_per_s', 'naive_orders_per_s', 'raw_insert_rows_per_s', 'recon_rows_per_s', 'csv_parse_rows_per_s',
  'recon_peak_rss_mb', 'recon_3202_rows_per_s', 'recon_3202_zip_rows_per_s', 'recon_3202_peak_rss_mb', 'recon_3202_zip_peak_rss_mb',
  'settle_events_per_s', 'workers_1_orders_per_s', 'workers_2_orders_per_s',
  'verify_full_ms', 'verify_incremental_ms', 'verify_full_entries', 'verify_incremental_entries_read', 'verify_sequential_read_ms',
  'verify_full_vs_sequential_read',
  'campaign_speedup_vs_naive', 'campaign_fraction_of_raw_insert', 'recon_fraction_of_csv_parse', 'scale_out_2_vs_1',
] as const;

function runBench(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench.ts'), ...args], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every figure on a tiny province, prints one JSON object and proves the ledger', async () => {
    const { code, stdout, stderr } = await runBench(['--size', '2000', '--json', '--dir', dir, '--grow-ledger', '40000'], {
      // The bench appends _bench to the configured database, and -bench to the queue prefix.
      DATABASE_URL: `${serverUrl}/${process.env.TEST_DATABASE_PREFIX ?? 'pw_test'}`,
      QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    });
    expect(code, stderr).toBe(0);
    const results = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of RATES) {
      expect(typeof results[key], key).toBe('number');
      expect(results[key] as number, key).toBeGreaterThan(0);
    }
    expect(results.ledger_consistent).toBe(true);
    // Verify timed at the bench's own ledger size, then again once the ledger was grown.
    const atBenchSize = results.verify_at_bench_size as Record<string, number>;
    expect(atBenchSize.entries).toBeGreaterThan(0);
    expect(atBenchSize.entries).toBeLessThan(40_000);
    expect(results.verify_full_entries).toBe(40_000);
    expect(results.statement_ledger_entries).toBeGreaterThan(40_000);
    expect(results.campaign_orders).toBeGreaterThan(1500);
    expect(results.recon_rows).toBe(2000);
    expect((results.machine as { innodbFlushLogAtTrxCommit: number }).innodbFlushLogAtTrxCommit).toBeGreaterThanOrEqual(0);
    expect(results.command).toContain('--size 2000');
  }, 120_000);
});
