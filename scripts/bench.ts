/**
 * Province-scale benchmark against this machine's own baselines, all measured in one run:
 *
 *   npm run bench -- [--size 1000000] [--json] [--workers 0|1|2] (--help for every option)
 *
 * Works in its own database (`<database>_bench`, recreated) and queue prefix (`<prefix>-bench`);
 * generates a synthetic province, then measures the campaign end to end against a naive one
 * transaction per order baseline and the raw INSERT ceiling, reconciliation of one big institution
 * file against csv-parse alone, the settlements import, and the campaign on 1 and 2 worker
 * processes. Ends with the ledger proof: exit 1 if it does not hold.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createApp, type App } from '../src/app.ts';
import { planOrders } from '../src/campaign/campaign.repository.ts';
import { env } from '../src/config/env.ts';
import { databaseName } from '../src/db/client.ts';
import { recreateDatabase } from '../src/db/migrate.ts';
import { generateProvince } from '../src/demo/province.ts';
import { shanghaiNow, shanghaiToday } from '../src/domain/time.ts';
import { IMPORTS } from '../src/imports/catalog.ts';
import { runImport, type ImportKind } from '../src/imports/import-runner.ts';
import { logger } from '../src/logger.ts';
import { growLedgerTo, measureLedgerVerify, type VerifyRun } from './bench/ledger-verify.ts';
import { measureStatement } from './bench/statement.ts';
import { createCampaign, runCampaignInProcess, runCampaignOnWorkers, startWorkerProcesses } from './bench/campaign.ts';
import { runChild } from './bench/children.ts';
import { codeVersion, load1, loadAverages, machineInfo, quiesce } from './bench/machine.ts';
import { ROOT } from './bench/paths.ts';
import { findServerPid, isLoopback, startProfile, type StepProfile } from './bench/profile.ts';
import { runNaive } from './bench/naive.ts';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench/options.ts';
import { measureRawInsert } from './bench/raw-insert.ts';
import { checkTargets, rate, renderTable, renderTargets, round, type BenchResults, type Rate, type ScaleOutRun } from './bench/report.ts';
import { RECON_DAY, writeReconFile, writeSettlementsFile } from './bench/settlement-files.ts';

interface ReconChildRun {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  rssBeforeMb: number;
  counts: Record<string, number>;
}

async function timed<T extends object>(work: () => Promise<T>): Promise<T & { seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { ...value, seconds: (performance.now() - started) / 1000 };
}

/** The command as the user typed it (npm's own arguments are gone by now, so it is rebuilt). */
function commandLine(): string {
  const quote = (a: string) => (/^[\w./=:,@-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  const args = process.argv.slice(2).map(quote).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return ['node', ...process.execArgv, path.relative(process.cwd(), process.argv[1]!), ...process.argv.slice(2)].map(quote).join(' ');
}

/** Like the demo: a database and queue prefix of the bench's own, derived from the configured ones. */
function benchTargets(): { databaseUrl: string; prefix: string } {
  const url = new URL(env().DATABASE_URL);
  url.pathname = `/${databaseName(url.toString())}_bench`;
  return { databaseUrl: url.toString(), prefix: `${env().QUEUE_PREFIX}-bench` };
}

async function deleteQueueKeys(app: App): Promise<void> {
  const stream = app.redis.scanStream({ match: `${app.queues.prefix}:*`, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    if (keys.length > 0) await app.redis.del(...keys);
  }
}

async function bench(options: BenchOptions): Promise<BenchResults> {
  const startedAt = new Date();
  const started = performance.now();
  const command = commandLine();
  const loadStart = loadAverages();
  const code = codeVersion(ROOT);
  const { databaseUrl, prefix } = benchTargets();
  const say = (line: string) => process.stderr.write(`${line}\n`);

  await recreateDatabase(databaseUrl);
  const app = createApp({ databaseUrl, queuePrefix: prefix });
  if (options.statementLog) {
    // Session-only: with the server's slow_query_log ON, every statement of this process is logged, nobody else's.
    app.db.pool.on('connection', (conn) => conn.query('SET SESSION long_query_time = 0'));
  }
  try {
    await deleteQueueKeys(app);
    const machine = await machineInfo(app.db.pool, () => app.redis.info('server'));
    say(`command: ${command}`);
    say(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.database} ` +
      `(innodb_flush_log_at_trx_commit=${machine.innodbFlushLogAtTrxCommit}, buffer pool ${machine.innodbBufferPoolMb} MB, ` +
      `${machine.commitLatencyMs} ms per commit), Redis ${machine.redis}`);
    say(`code: commit ${code.commit}${code.uncommitted.length > 0 ? ` with uncommitted changes to ${code.uncommitted.join(', ')}` : ''}`);
    say(`load average at start: ${loadStart.join(', ')}; database ${databaseName(databaseUrl)}, queue prefix ${prefix}`);

    const loads: Record<string, [number, number]> = {};
    const profiles: Record<string, StepProfile> = {};
    const serverPid = isLoopback(databaseUrl) ? await findServerPid() : null;
    /** Runs one step and prints its line; a measured step's load average is kept under `measured`. */
    const step = async <T>(name: string, work: () => Promise<T>, describe: (value: T, seconds: number) => string, measured?: string): Promise<T> => {
      // A marker in the slow log, so its digest can tell the steps apart.
      if (options.statementLog) await app.db.pool.query('SELECT ? AS bench_step', [name]);
      if (measured) {
        // Proportionate: a tiny run (the test's) should not wait out the flushing of a bigger database.
        const waited = await quiesce(app.db.pool, Math.min(60, options.size / 10_000));
        if (waited >= 1) say(`  (waited ${waited.toFixed(1)} s for InnoDB to flush before measuring)`);
      }
      const before = load1();
      const endProfile = measured ? await startProfile(app.db.pool, serverPid) : null;
      const t0 = performance.now();
      const value = await work();
      const seconds = (performance.now() - t0) / 1000;
      if (measured) loads[measured] = [before, load1()];
      say(`  ${name.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${describe(value, seconds)}`);
      if (endProfile) {
        const p = (profiles[measured!] = await endProfile());
        say(`  ${''.padEnd(44)} CPU s: bench ${p.bench_cpu_s}, children ${p.children_cpu_s}, server ${p.server_cpu_s ?? '?'}; ` +
          `InnoDB: ${p.page_reads} page reads, ${p.pages_flushed} pages flushed, ${p.waits_for_free_page} waits for a free page`);
      }
      return value;
    };

    await rm(options.dir, { recursive: true, force: true });
    await mkdir(options.dir, { recursive: true });
    // About two residents per family (one to three).
    const families = Math.ceil(options.size / 2);
    const files = await step('generate province', () => generateProvince({ families, dir: options.dir, creditDate: shanghaiToday() }),
      (f) => `${f.counts.residents} beneficiaries, ${f.counts.employees} employees, ${f.counts.bindings} bindings`);

    const imports: Record<string, Rate> = {};
    for (const kind of ['institutions', 'persons', 'accounts', 'bindings'] as const satisfies readonly ImportKind[]) {
      await step(`import ${kind}`, () => runImport(app.db, IMPORTS[kind], files[kind]), (s, seconds) => {
        if (s.rejected > 0) throw new Error(`import ${kind}: ${s.rejected} rows rejected (first: ${JSON.stringify(s.errors[0])})`);
        imports[kind] = rate(s.read, seconds);
        return `${s.imported} rows, ${imports[kind].per_s} rows/s`;
      });
    }

    const year = Number(shanghaiToday().slice(0, 4)) + 1;
    // The naive baseline runs first, on a campaign year of its own, so it meets the same fresh
    // balances the campaign does; it takes a sample, which leaves the campaign's balances nearly untouched.
    const naiveCampaign = await step('naive: plan its own campaign', async () => {
      const campaign = await createCampaign(app, year + 1);
      await planOrders(app.db.pool, campaign, shanghaiNow());
      return campaign;
    }, () => `campaign year ${year + 1} planned (not timed as part of the baseline)`);
    const naive = await step('naive: pay one order per tx', () => runNaive(app.db.pool, naiveCampaign, options.naiveSample),
      (n) => `${n.orders} orders, ${Math.round(n.orders / n.seconds)} orders/s`, 'naive');

    const campaign = await step('campaign create + run --wait', () => runCampaignInProcess(app, year),
      (c) => `${c.orders} orders (${c.paid} paid), ${Math.round(c.orders / c.seconds)} orders/s`, 'campaign');

    const scaleOut: ScaleOutRun[] = [];
    for (let workers = 1; workers <= options.workers; workers++) {
      const processes = await startWorkerProcesses(app, workers, { DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix });
      try {
        const c = await step(`campaign on ${workers} worker process(es)`, () => runCampaignOnWorkers(app, year + 1 + workers),
          (c) => `${c.orders} orders (${c.paid} paid), ${Math.round(c.orders / c.seconds)} orders/s`, `workers ${workers}`);
        scaleOut.push({ workers, orders: c.orders, paid: c.paid, seconds: round(c.seconds), orders_per_s: Math.round(c.orders / c.seconds) });
      } finally {
        await processes.stop();
      }
    }

    const raw = await step('raw multi-row INSERT', () => measureRawInsert(app.db.pool, campaign.orders, files.counts.employees),
      (r) => `${r.rows} rows, ${Math.round(r.rows / r.seconds)} rows/s`, 'raw insert');

    const settlementsFile = await step('write settlements file', () => writeSettlementsFile(app.db.pool, options.dir, options.reconRows),
      (f) => `${f.events} events`);
    const settle = await step('import settlements', () => timed(() => runImport(app.db, IMPORTS.settlements, settlementsFile.file)),
      (s) => `${s.read} events (${s.rejected} rejected), ${Math.round(s.read / s.seconds)} events/s`, 'settlements');
    const settleRate = rate(settle.read, settle.seconds);

    const inbox = path.join(options.dir, 'inbox');
    const reconFile = await step('write recon file', () => writeReconFile(app.db.pool, options.dir), (f) => `${f.rows} rows`);
    await mkdir(inbox, { recursive: true });
    await copyFile(reconFile.file, path.join(inbox, path.basename(reconFile.file)));
    const parsed = await step('csv-parse alone', () => runChild<{ rows: number; seconds: number }>('scripts/bench/parse-child.ts', [reconFile.file]),
      (p) => `${p.rows} rows, ${Math.round(p.rows / p.seconds)} rows/s`, 'csv-parse');
    const reconcileIn = (name: string, dir: string, expectedRows: number, label: string) => step(name, async () => {
      const run = await runChild<ReconChildRun>(
        'scripts/bench/recon-child.ts', [RECON_DAY, dir, path.join(options.dir, 'outbox')],
        { DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix, BENCH_STATEMENT_LOG: options.statementLog ? '1' : '0' },
      );
      if (run.rows !== expectedRows) throw new Error(`reconciliation read ${run.rows} rows of ${expectedRows}`);
      return run;
    }, (r) => `${r.rows} rows, ${Math.round(r.rows / r.seconds)} rows/s, peak RSS ${r.peakRssMb} MB`, label);
    const recon = await reconcileIn('recon run --wait (child process)', inbox, reconFile.rows, 'recon');
    // The same day again from the national 3202 file, plain then zipped: each replaces the day's detail outcomes.
    const national: ReconChildRun[] = [];
    for (const zipped of [false, true]) {
      const detail = await step(`write 3202 file${zipped ? ' (zipped)' : ''}`, () => writeReconFile(app.db.pool, options.dir, '3202', zipped), (f) => `${f.rows} rows`);
      const dir = path.join(options.dir, zipped ? 'inbox-3202-zip' : 'inbox-3202');
      await mkdir(dir, { recursive: true });
      await copyFile(detail.file, path.join(dir, path.basename(detail.file)));
      national.push(await reconcileIn(`recon run --wait, 3202${zipped ? ' zipped' : ''} (child process)`, dir, detail.rows, zipped ? 'recon 3202 zip' : 'recon 3202'));
    }
    const [plain3202, zip3202] = national as [ReconChildRun, ReconChildRun];

    const describeVerify = (v: VerifyRun) => [v.full, v.incremental].every((l) => l.problems.length === 0)
      ? `holds: ${v.full.entries} entries, ${v.full.accounts} accounts; sequential read ${v.sequentialReadMs} ms, full ${v.fullMs} ms, ` +
        `incremental ${v.incrementalMs} ms after ${v.dayEntries} new entries`
      : `${v.full.problems.length + v.incremental.problems.length} PROBLEMS`;
    const verifyHere = await step('ledger verify: read, full, incremental', () => measureLedgerVerify(app.db), describeVerify, 'verify');
    const verifyRuns = [verifyHere];
    if (options.growLedger > verifyHere.incremental.entries) {
      await step(`grow the ledger to ${options.growLedger} entries`, () => growLedgerTo(app.db, options.growLedger), (added) => `${added} synthetic credits (setup, not measured)`);
      verifyRuns.push(await step(`ledger verify at ${options.growLedger}`, () => measureLedgerVerify(app.db), describeVerify, 'verify grown'));
    }
    const verify = verifyRuns[verifyRuns.length - 1]!;
    const problems = verifyRuns.flatMap((v) => [...v.full.problems, ...v.incremental.problems]);
    const ledger = { ...verify.incremental, problems };

    const statement = await step(`statement of a payer (${options.statementMovements} movements)`, () => measureStatement(app.db, options.dir, options.statementMovements),
      (s) => `${s.rows} rows from a ledger of ${s.ledgerEntries} entries: first ${s.firstMs} ms, then ${s.medianMs} ms (median)`);

    const campaignRate = Math.round(campaign.orders / campaign.seconds);
    const naiveRate = Math.round(naive.orders / naive.seconds);
    const rawRate = Math.round(raw.rows / raw.seconds);
    const reconRate = Math.round(recon.rows / recon.seconds);
    const parseRate = Math.round(parsed.rows / parsed.seconds);
    const one = scaleOut.find((s) => s.workers === 1);
    const two = scaleOut.find((s) => s.workers === 2);
    const results: Omit<BenchResults, 'targets'> = {
      command,
      started_at: startedAt.toISOString(),
      total_seconds: round((performance.now() - started) / 1000, 1),
      machine,
      code,
      load_average_start: loadStart,
      load_average_end: loadAverages(),
      province: { families, persons: files.counts.persons, beneficiaries: files.counts.residents, employees: files.counts.employees, bindings: files.counts.bindings },
      campaign_orders: campaign.orders,
      campaign_paid: campaign.paid,
      campaign_seconds: round(campaign.seconds),
      campaign_orders_per_s: campaignRate,
      naive_orders: naive.orders,
      naive_paid: naive.paid,
      naive_seconds: round(naive.seconds),
      naive_orders_per_s: naiveRate,
      naive_sample: `the first ${naive.orders} orders (by psn_no) of a campaign year of its own`,
      campaign_speedup_vs_naive: round(campaignRate / naiveRate, 1),
      raw_insert_rows: raw.rows,
      raw_insert_seconds: round(raw.seconds),
      raw_insert_rows_per_s: rawRate,
      campaign_fraction_of_raw_insert: round(campaignRate / rawRate),
      recon_rows: recon.rows,
      recon_seconds: round(recon.seconds),
      recon_rows_per_s: reconRate,
      recon_cpu_seconds: round(recon.cpuSeconds),
      recon_peak_rss_mb: recon.peakRssMb,
      recon_rss_at_start_mb: recon.rssBeforeMb,
      recon_counts: recon.counts,
      csv_parse_rows_per_s: parseRate,
      recon_fraction_of_csv_parse: round(reconRate / parseRate),
      recon_3202_rows_per_s: Math.round(plain3202.rows / plain3202.seconds),
      recon_3202_peak_rss_mb: plain3202.peakRssMb,
      recon_3202_zip_rows_per_s: Math.round(zip3202.rows / zip3202.seconds),
      recon_3202_zip_peak_rss_mb: zip3202.peakRssMb,
      recon_3202_fraction_of_csv: round(plain3202.rows / plain3202.seconds / reconRate),
      recon_3202_zip_fraction_of_csv: round(zip3202.rows / zip3202.seconds / reconRate),
      settle_events: settle.read,
      settle_imported: settle.imported,
      settle_rejected: settle.rejected,
      settle_seconds: settleRate.seconds,
      settle_events_per_s: settleRate.per_s,
      scale_out: scaleOut,
      ...(one ? { workers_1_orders_per_s: one.orders_per_s } : {}),
      ...(two ? { workers_2_orders_per_s: two.orders_per_s } : {}),
      ...(one && two ? { scale_out_2_vs_1: round(two.orders_per_s / one.orders_per_s) } : {}),
      imports,
      load_1m: loads,
      profiles,
      statement_ms: statement.medianMs,
      statement_first_ms: statement.firstMs,
      statement_rows: statement.rows,
      statement_ledger_entries: statement.ledgerEntries,
      ledger_consistent: ledger.problems.length === 0,
      verify_full_ms: verify.fullMs,
      verify_incremental_ms: verify.incrementalMs,
      verify_full_entries: verify.full.entries,
      verify_incremental_entries_read: verify.incremental.entriesRead,
      verify_sequential_read_ms: verify.sequentialReadMs,
      verify_full_vs_sequential_read: round(verify.fullMs / verify.sequentialReadMs),
      verify_at_bench_size: {
        full_ms: verifyHere.fullMs, incremental_ms: verifyHere.incrementalMs, entries: verifyHere.full.entries,
        incremental_entries_read: verifyHere.incremental.entriesRead, sequential_read_ms: verifyHere.sequentialReadMs,
      },
      ledger: { entries: ledger.entries, accounts: ledger.accounts, orders: ledger.orders, settlements: ledger.settlements, problems: ledger.problems.length },
    };
    return { ...results, targets: checkTargets(results) };
  } finally {
    await deleteQueueKeys(app).catch(() => undefined);
    await app.close();
  }
}

let options: BenchOptions | 'help';
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
// Step lines are the progress report; job logs would drown them unless asked for.
if (!process.env.LOG_LEVEL) logger.level = 'warn';
try {
  const results = await bench(options);
  if (options.out) await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out('');
    out(`command: ${results.command}`);
    const m = results.machine;
    out(`machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB RAM; ${m.database}, innodb_flush_log_at_trx_commit=${m.innodbFlushLogAtTrxCommit}, ` +
      `buffer pool ${m.innodbBufferPoolMb} MB, ${m.commitLatencyMs} ms per one-row commit; Redis ${m.redis}; Node ${m.node}`);
    out(`code: commit ${results.code.commit}${results.code.uncommitted.length > 0 ? ` + uncommitted ${results.code.uncommitted.join(', ')}` : ''}`);
    out(`province: ${results.province.beneficiaries} beneficiaries, ${results.province.employees} employees, ${results.province.bindings} bindings; ` +
      `load average ${results.load_average_start.join(' ')} at start, ${results.load_average_end.join(' ')} at end; ${results.total_seconds} s in all`);
    out(renderTable(results));
    out(renderTargets(results));
    out(`ledger invariant: ${results.ledger_consistent ? 'holds' : 'VIOLATED'} (${results.ledger.entries} entries, ${results.ledger.accounts} accounts, ` +
      `${results.ledger.orders} orders, ${results.ledger.settlements} settlements)`);
  }
  process.exit(results.ledger_consistent ? 0 : 1);
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
}
