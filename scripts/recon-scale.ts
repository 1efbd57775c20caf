/**
 * Reconciliation at province scale: a 1,000,000-row institution file against 1,000,000 ledger
 * settlements of the same day, end to end as `recon run --wait` does it (fan-out, file job, day
 * finaliser, reports). Prints rows/s and the peak RSS of the reconciling process, and csv-parse's
 * own rate on the same file for comparison.
 *
 *   node --import tsx scripts/recon-scale.ts [--rows 1000000] [--skip-setup]
 *
 * Uses its own database (pw_recon_scale on TEST_DATABASE_SERVER_URL or the local server), its own
 * queue prefix, and files under .bench/recon.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, '.bench/recon');
const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';
const databaseUrl = `${serverUrl}/pw_recon_scale`;
const DATE = '2026-11-23';
const CODE = 'H510104000001';
const FILE_NAME = `${CODE}_${DATE.replaceAll('-', '')}.csv`;
const source = path.join(benchDir, 'source', FILE_NAME);

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROWS = Number(option('--rows') ?? 1_000_000);

const setlId = (i: number) => `S${DATE.replaceAll('-', '')}${String(i).padStart(9, '0')}`;
const psnNo = (i: number) => `P51${String(i % 400_000).padStart(10, '0')}`;
const time = (i: number) => `${DATE} ${String(8 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;
const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const acctPay = (i: number) => (i * 37) % 50_000;
const mulaid = (i: number) => (i % 5 === 0 ? (i * 13) % 20_000 : 0);

/** Every thousandth row differs from the ledger in some way, as in a real, mostly clean day. */
function fileLine(i: number): string {
  const id = i % 100_000 === 99_999 ? `${setlId(i)}X` : setlId(i); // not in the ledger
  const pay = i % 1000 === 500 ? acctPay(i) + 1 : acctPay(i); // amount mismatch
  const medfee = i % 100_000 === 12_345 ? 'abc' : yuan(pay + mulaid(i) + 1000); // invalid row
  return `${id},M${i},${psnNo(i)},${CODE},${time(i)},${medfee},${yuan(pay)},${yuan(mulaid(i))},0\n`;
}

async function setup(): Promise<void> {
  const { recreateDatabase } = await import('../src/db/migrate.ts');
  const { createDb } = await import('../src/db/client.ts');
  await recreateDatabase(databaseUrl);
  const db = createDb(databaseUrl, 4);
  try {
    await db.pool.query("INSERT INTO institutions (fixmedins_code, name, type, admdvs, designated) VALUES (?, 'bench', 'hospital', '510104', true)", [CODE]);
    const started = Date.now();
    // Two statements in flight: ascending keys, as the settlements import writes them.
    const inFlight: Promise<unknown>[] = [];
    for (let start = 0; start < ROWS; start += 5000) {
      const rows = [];
      for (let i = start; i < Math.min(ROWS, start + 5000); i++) {
        if (i % 250_000 === 777) continue; // a settlement the file does not report
        rows.push([setlId(i), `M${i}`, 1 + (i % 400_000), psnNo(i), 1, CODE, time(i), DATE, acctPay(i) + mulaid(i) + 1000,
          acctPay(i) + mulaid(i), acctPay(i), mulaid(i), 0]);
      }
      inFlight.push(db.pool.query(
        `INSERT INTO settlements (setl_id, mdtrt_id, person_id, psn_no, institution_id, fixmedins_code, setl_time, business_date,
                                  medfee_sumamt, personal_burden, acct_pay, acct_mulaid_pay, cash_pay) VALUES ?`,
        [rows],
      ));
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    console.log(`ledger: ${ROWS} settlements in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }

  await mkdir(path.dirname(source), { recursive: true });
  const out = createWriteStream(source);
  out.write('setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,acct_pay,acct_mulaid_pay,refd_setl_flag\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    chunk += fileLine(i);
    if (i === 300_000) chunk += fileLine(299_999); // a duplicate
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  console.log(`file: ${source}`);
}

/** The child process measured: `recon run --wait` without the CLI's printing. */
async function runReconciliation(): Promise<void> {
  const { createApp } = await import('../src/app.ts');
  const { handlers } = await import('../jobs/index.ts');
  const { runUntilFinished } = await import('../jobs/wait.ts');
  const { startReconRun } = await import('../src/recon/reconcile-day.service.ts');
  const app = createApp({ databaseUrl, queuePrefix: process.env.QUEUE_PREFIX! });
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const { jobId } = await startReconRun(app, { businessDate: DATE, inbox: path.join(benchDir, 'inbox'), outbox: path.join(benchDir, 'outbox') });
    const result = await runUntilFinished<{ files: { rows?: number; counts?: object }[]; discrepancies: number }>(app, handlers, 'recon', jobId);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const rows = result.files[0]?.rows ?? 0;
    console.log(JSON.stringify({
      rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), discrepancies: result.discrepancies, counts: result.files[0]?.counts,
    }));
  } finally {
    const keys = await app.redis.keys(`${process.env.QUEUE_PREFIX}:*`);
    if (keys.length > 0) await app.redis.del(...keys);
    await app.close();
  }
}

/** csv-parse alone on the same file, rows as arrays: the ceiling the reconciliation is measured against. */
async function rawParse(): Promise<void> {
  const started = performance.now();
  let rows = 0;
  const parser = createReadStream(source).pipe(parse({ relax_column_count: true }));
  parser.on('data', () => rows++);
  await once(parser, 'end');
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ rows: rows - 1, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round((rows - 1) / seconds) }));
}

function child(mode: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mode], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', QUEUE_PREFIX: `bench-recon-${randomUUID().slice(0, 8)}` }, encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** A fresh start for the measured run: the file back in the inbox, no reconciliation recorded yet. */
async function resetRun(): Promise<void> {
  const { createDb } = await import('../src/db/client.ts');
  const db = createDb(databaseUrl, 1);
  try {
    for (const table of ['recon_outcomes', 'recon_latest_files', 'recon_files', 'recon_days']) await db.pool.query(`TRUNCATE TABLE ${table}`);
  } finally {
    await db.close();
  }
  await rm(path.join(benchDir, 'inbox'), { recursive: true, force: true });
  await mkdir(path.join(benchDir, 'inbox'), { recursive: true });
  await copyFile(source, path.join(benchDir, 'inbox', FILE_NAME));
}

if (args.includes('--run')) {
  await runReconciliation();
  // As the CLI does: the run leaves no work behind, only idle sockets that would keep the process up.
  process.exit(0);
} else if (args.includes('--raw')) {
  await rawParse();
  process.exit(0);
} else {
  if (!args.includes('--skip-setup') || !existsSync(source)) await setup();
  await resetRun();
  console.log('csv-parse alone:', JSON.stringify(child('--raw')));
  console.log('recon run --wait:', JSON.stringify(child('--run')));
}
