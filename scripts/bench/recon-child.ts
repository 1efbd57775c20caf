/**
 * Runs in a process of its own so that its peak RSS is the reconciliation's alone: `recon run
 * --date D --wait` without the CLI's printing (the day job, its file job and the day finaliser, on
 * in-process workers). Prints one JSON line. Arguments: DATE INBOX OUTBOX; DATABASE_URL and
 * QUEUE_PREFIX come from the environment.
 */
import { handlers } from '../../jobs/index.ts';
import { createApp } from '../../src/app.ts';
import { env } from '../../src/config/env.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { startReconRun, type DayResult } from '../../src/recon/reconcile-day.service.ts';

const [businessDate, inbox, outbox] = process.argv.slice(2);
if (!businessDate || !inbox || !outbox) throw new Error('usage: recon-child.ts DATE INBOX OUTBOX');

const app = createApp({ databaseUrl: env().DATABASE_URL, queuePrefix: env().QUEUE_PREFIX });
if (process.env.BENCH_STATEMENT_LOG === '1') app.db.pool.on('connection', (conn) => conn.query('SET SESSION long_query_time = 0'));
try {
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { jobId } = await startReconRun(app, { businessDate, inbox, outbox });
  const result = await runUntilFinished<DayResult>(app, handlers, 'recon', jobId);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const file = result.files.find((f) => f.status === 'reconciled');
  if (!file) throw new Error(`no file was reconciled: ${JSON.stringify(result.files)}`);
  process.stdout.write(`${JSON.stringify({
    rows: file.rows, seconds, cpuSeconds: (used.user + used.system) / 1e6, rssBeforeMb,
    // maxRSS is in kilobytes on Linux.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), counts: file.counts, discrepancies: result.discrepancies,
  })}\n`);
} finally {
  await app.close();
}
// As the CLI does: a closed app can still leave a Redis handle that keeps the process alive.
process.exit(0);
