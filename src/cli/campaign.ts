import path from 'node:path';
import type { Command } from 'commander';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { parseCampaignArgs } from '../campaign/campaign-input.ts';
import { countByCategoryAndTier, countOrders, findCampaign, insertCampaign } from '../campaign/campaign.repository.ts';
import { insertPremiumRules, readPremiumSchedule } from '../campaign/premium-schedule.ts';
import { requestRun, type RunRequest } from '../campaign/campaign.service.ts';
import { findOrder, recentRuns } from '../campaign/orders.queries.ts';
import { inTransaction } from '../db/transaction.ts';
import { formatYuan } from '../domain/money.ts';
import { finishAction, recordAction, type Actor } from '../audit/audit.repository.ts';
import { resumeCampaign } from '../operations/recovery.service.ts';
import { jobCatalog } from '../queue/catalog.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { operatorName, parseId, withApp } from './app.ts';
import { printJson, printLine, printTable, UserError } from './output.ts';
import { withProgress } from './progress.ts';

interface RunOptions {
  wait?: boolean;
  json?: boolean;
  operator?: string;
}

/** Who is at the keyboard, for the audit trail: --operator, else the OS user. */
export function cliActor(operator?: string): Actor {
  return { operator: operatorName(operator), source: 'cli' };
}

export interface StartedRun {
  campaignId: number;
  kind: 'run' | 'retry';
  /** A retry of one order. */
  orderId?: number;
  runId: number;
  jobId: string;
}

/** Runs a campaign run's job (and its payment chunks) in this process until it is finished, with a progress bar. */
async function runToEnd<T = unknown>(app: App, jobId: string, options: RunOptions): Promise<T> {
  const progress = async () => {
    const job = await app.queues.get('campaigns').getJob(jobId);
    const counts = job ? await job.getDependenciesCount() : {};
    const done = (counts.processed ?? 0) + (counts.failed ?? 0) + (counts.ignored ?? 0);
    return { done, total: done + (counts.unprocessed ?? 0) };
  };
  return withProgress('payment chunks', progress, runUntilFinished<T>(app, handlers, 'campaigns', jobId), options.json);
}

/** Reports a run just enqueued; with --wait runs it here to the end and prints the outcome counts. */
export async function reportRun(app: App, run: StartedRun, options: RunOptions, started = Date.now()): Promise<void> {
  const { runId, jobId } = run;
  if (!options.wait) {
    if (options.json) printJson({ runId, jobId, queued: true });
    else printLine(`${run.kind} ${runId} queued as job ${jobId}; start a worker or add --wait`);
    return;
  }
  const result = await runToEnd<RunResult>(app, jobId, options);
  const seconds = (Date.now() - started) / 1000;
  if (run.kind === 'retry') {
    await reportRetry(app, run, result, seconds, options);
    return;
  }
  const summary = await countOrders(app.db.pool, run.campaignId);
  if (options.json) {
    printJson({ runId, jobId, seconds, orders: summary.map((s) => ({ ...s, premium: formatYuan(s.premium) })) });
    return;
  }
  printTable(['status', 'failure_code', 'orders', 'premium'], summary.map((s) => [s.status, s.failureCode ?? '', s.orders, formatYuan(s.premium)]));
  printLine(`${run.kind} ${runId} finished in ${seconds.toFixed(1)} s`);
}

interface RunResult {
  charged: number;
  outcomes?: { paid: number; failed: Record<string, number> };
}

/** A retry says what it changed: orders newly paid and those still failed, by code; for one order, its outcome. */
async function reportRetry(app: App, run: StartedRun, result: RunResult, seconds: number, options: RunOptions): Promise<void> {
  if (run.orderId !== undefined) {
    const order = (await findOrder(app.db.pool, run.orderId))!;
    if (options.json) {
      printJson({ runId: run.runId, jobId: run.jobId, seconds, orderId: order.id, status: order.status, failureCode: order.failureCode, detail: order.detail });
      return;
    }
    const why = order.failureCode ? ` ${order.failureCode}${order.detail ? ` (${order.detail})` : ''}` : '';
    printLine(`order ${order.id}: ${order.status}${why}`);
    return;
  }
  const paid = result.outcomes?.paid ?? 0;
  const stillFailed = result.outcomes?.failed ?? {};
  if (options.json) {
    printJson({ runId: run.runId, jobId: run.jobId, seconds, retried: result.charged, newlyPaid: paid, stillFailed });
    return;
  }
  const failed = Object.entries(stillFailed).sort(([a], [b]) => (a < b ? -1 : 1));
  printLine(`retry ${run.runId} finished in ${seconds.toFixed(1)} s: ${result.charged} orders retried, ${paid} newly paid`);
  printLine(failed.length === 0 ? 'none still failed' : `still failed: ${failed.map(([code, n]) => `${code} ${n}`).join(', ')}`);
}

/** Enqueues a run or retry on an operator's behalf (audited); with --wait runs it here to the end. */
export async function startRun(app: App, request: Omit<RunRequest, 'requestedBy'>, options: RunOptions): Promise<void> {
  const started = Date.now();
  const actor = cliActor(options.operator);
  const { runId, jobId } = await requestRun(app, { ...request, requestedBy: actor.operator }, { actor });
  await reportRun(app, { campaignId: request.campaignId, kind: request.kind, runId, jobId }, options, started);
}

export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('annual resident premium campaigns');

  campaign.command('create')
    .description('create a campaign; prints its id')
    .requiredOption('--year <year>', 'coverage year, e.g. 2027')
    .requiredOption('--province <code>', 'province: first two digits of admdvs, e.g. 51')
    .requiredOption('--window <start..end>', 'collection window, e.g. 2026-09-01..2026-12-31')
    .requiredOption('--premium <list>', 'yuan per category: adult=400,minor=400,student=400,senior=400')
    .option('--mode <mode>', 'single (one payer pays it all) or split (payers in deduction order)', 'single')
    .option('--schedule <file>', 'premiums by division, category and subsidy tier: CSV admdvs_prefix, resident_category, subsidy_tier, premium')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((options) => withApp(async (app) => {
      const input = parseCampaignArgs(options);
      const rules = options.schedule ? await readPremiumSchedule(options.schedule, input.province) : [];
      const [existing] = await app.db.pool.query('SELECT id FROM campaigns WHERE year = ? AND province = ?', [input.year, input.province]);
      const found = (existing as { id: number }[])[0];
      if (found) throw new UserError(`a campaign for ${input.year} in province ${input.province} already exists (id ${found.id})`);
      const id = await inTransaction(app.db.pool, async (conn) => {
        const campaignId = await insertCampaign(conn, input);
        await insertPremiumRules(conn, campaignId, rules);
        const { year, province, windowStart, windowEnd, mode, premiums } = input;
        const schedule = options.schedule ? { file: path.basename(options.schedule), rules: rules.length } : undefined;
        const actionId = await recordAction(conn, cliActor(options.operator), 'campaign.create', { campaignId, year, province, windowStart, windowEnd, mode, premiums, schedule });
        await finishAction(conn, actionId);
        return campaignId;
      });
      if (options.json) printJson({ id });
      else printLine(String(id));
    }));

  campaign.command('run <id>')
    .description('plan beneficiaries not yet planned and pay pending orders (paid, failed and skipped orders are left alone)')
    .option('--wait', 'run the work in this process and return when every order is final')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((id: string, options: RunOptions) => withApp((app) => startRun(app, { campaignId: parseId(id, 'campaign id'), kind: 'run' }, options), { redis: true }));

  campaign.command('resume <id>')
    .description('enqueue again the unfinished runs of a campaign whose jobs vanished from Redis (flushed, restarted without persistence); nothing is paid twice')
    .option('--wait', 'also run every unfinished run of the campaign here to the end (e.g. after its worker was killed)')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((id: string, options: RunOptions) => withApp(async (app) => {
      const started = Date.now();
      const report = await resumeCampaign(app, parseId(id, 'campaign id'), cliActor(options.operator));
      if (options.wait) {
        // A job still held by a worker that died is taken over once its lock expires (LOCK_DURATION_MS).
        for (const runId of report.unfinishedRuns) await runToEnd(app, jobCatalog['campaign-run'].jobId(runId), options);
        for (const jobId of report.requeuedTicks) await runUntilFinished(app, handlers, 'schedules', jobId);
      }
      const orders = options.wait ? await countOrders(app.db.pool, report.campaignId) : undefined;
      if (options.json) {
        printJson({ ...report, waited: options.wait === true, seconds: (Date.now() - started) / 1000, orders: orders?.map((s) => ({ ...s, premium: formatYuan(s.premium) })) });
        return;
      }
      printLine(`campaign ${report.campaignId}: ${report.pendingOrders} pending orders`);
      if (report.requeuedRuns.length > 0) printLine(`re-enqueued runs whose jobs had vanished: ${report.requeuedRuns.join(', ')}`);
      if (report.requeuedTicks.length > 0) printLine(`re-enqueued schedule ticks: ${report.requeuedTicks.join(', ')}`);
      if (report.leftToTick.length > 0) printLine(`scheduled runs restarted by their tick: ${report.leftToTick.join(', ')}`);
      if (report.newRunId) printLine(`started run ${report.newRunId} for pending orders that no unfinished run covered`);
      for (const f of report.failedRuns) printLine(`run ${f.runId} failed (${f.reason}): start a new 'campaign run' or 'retry' once the cause is fixed`);
      if (report.unfinishedRuns.length === 0 && report.failedRuns.length === 0 && report.requeuedTicks.length === 0) printLine('nothing to resume: no unfinished run');
      else if (options.wait && report.unfinishedRuns.length > 0) printLine(`ran unfinished runs ${report.unfinishedRuns.join(', ')} to the end in this process`);
      else if (report.jobIds.length === 0 && report.unfinishedRuns.length > 0) {
        printLine(`runs ${report.unfinishedRuns.join(', ')} still have their jobs: a worker finishes them, or add --wait to run them here`);
      }
      if (orders) printTable(['status', 'failure_code', 'orders', 'premium'], orders.map((s) => [s.status, s.failureCode ?? '', s.orders, formatYuan(s.premium)]));
    }, { redis: true }));

  campaign.command('status <id>')
    .description('orders by status and failure code, money collected, recent runs')
    .option('--json', 'machine-readable output')
    .action((id: string, options: { json?: boolean }) => withApp(async (app) => {
      const c = await findCampaign(app.db.pool, parseId(id, 'campaign id'));
      if (!c) throw new UserError(`campaign ${id} does not exist`);
      const counts = await countOrders(app.db.pool, c.id);
      const tiers = (await countByCategoryAndTier(app.db.pool, c.id)).map((t) => ({
        ...t, premium: formatYuan(t.premium), collected: formatYuan(t.collected), refundedAmount: formatYuan(t.refundedAmount),
      }));
      const runs = await recentRuns(app.db.pool, c.id);
      const total = counts.reduce((n, s) => n + s.orders, 0);
      const paid = counts.filter((s) => s.status === 'paid').reduce((n, s) => n + s.premium, 0);
      const premiums = Object.fromEntries(Object.entries(c.premiums).map(([k, v]) => [k, formatYuan(v)]));
      if (options.json) {
        printJson({ ...c, premiums, orders: total, collected: formatYuan(paid), byStatus: counts.map((s) => ({ ...s, premium: formatYuan(s.premium) })), byCategoryAndTier: tiers, runs });
        return;
      }
      printLine(`campaign ${c.id}: year ${c.year}, province ${c.province}, window ${c.windowStart}..${c.windowEnd}, mode ${c.mode}`);
      printLine(`premiums: ${Object.entries(premiums).map(([k, v]) => `${k}=${v}`).join(', ')}`);
      printTable(['status', 'failure_code', 'orders', 'premium'], counts.map((s) => [s.status, s.failureCode ?? '', s.orders, formatYuan(s.premium)]));
      printTable(
        ['category', 'subsidy_tier', 'orders', 'premium', 'paid', 'collected', 'refunded', 'refunded_amount'],
        tiers.map((t) => [t.category, t.subsidyTier ?? '', t.orders, t.premium, t.paid, t.collected, t.refunded, t.refundedAmount]),
      );
      printLine(`${total} orders, ${formatYuan(paid)} yuan collected`);
      for (const r of runs) printLine(`run ${r.id} (${r.kind}) by ${r.requested_by} at ${r.created_at}${r.finished_at ? `, finished ${r.finished_at}` : ', not finished'}`);
    }));
}
