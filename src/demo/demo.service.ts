import path from 'node:path';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { countOrders, insertCampaign } from '../campaign/campaign.repository.ts';
import { requestRun } from '../campaign/campaign.service.ts';
import { IMPORTS } from '../imports/catalog.ts';
import { runImport, type ImportKind, type ImportSummary } from '../imports/import-runner.ts';
import { verifyLedger, type LedgerReport } from '../ledger/verify.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { previousDay, shanghaiToday } from '../domain/time.ts';
import { countsOfDay } from '../recon/recon.repository.ts';
import { startReconRun, type DayResult } from '../recon/reconcile-day.service.ts';
import { generateProvince } from './province.ts';
import { generateSettlements, writeInstitutionFiles } from './settlements.ts';

export interface DemoStep {
  step: string;
  seconds: number;
  result: string;
}

export interface DemoReport {
  families: number;
  campaignId: number;
  steps: DemoStep[];
  orders: Awaited<ReturnType<typeof countOrders>>;
  money: { premiumsCollected: number; creditsIn: number; debits: number };
  recon: { businessDate: string; report: string; counts: Awaited<ReturnType<typeof countsOfDay>> };
  ledger: LedgerReport;
}

/**
 * The whole product on a synthetic province: import the people, run a campaign, credit the monthly
 * contributions, retry the orders that lacked money, settle a day of pharmacy and hospital bills,
 * reconcile the institutions' files for that day, and prove the ledger. Each step goes through
 * the same services and jobs an operator's commands use.
 */
export async function runDemo(app: App, options: { families: number; dir: string; onStep?: (step: DemoStep) => void }): Promise<DemoReport> {
  const steps: DemoStep[] = [];
  const timed = async <T>(step: string, work: () => Promise<T>, describe: (value: T) => string): Promise<T> => {
    const started = performance.now();
    const value = await work();
    const entry = { step, seconds: (performance.now() - started) / 1000, result: describe(value) };
    steps.push(entry);
    options.onStep?.(entry);
    return value;
  };
  const importFile = (kind: ImportKind, file: string) =>
    timed(`import ${kind}`, () => runImport(app.db, IMPORTS[kind], file), (s: ImportSummary) => `${s.imported} imported, ${s.rejected} rejected`);
  const runToEnd = async (kind: 'run' | 'retry', campaignId: number, code?: string) => {
    const { jobId } = await requestRun(app, { campaignId, kind, code, requestedBy: 'demo' });
    await runUntilFinished(app, handlers, 'campaigns', jobId);
    return countOrders(app.db.pool, campaignId);
  };
  const describeOrders = (counts: Awaited<ReturnType<typeof countOrders>>) =>
    counts.map((c) => `${c.failureCode ?? c.status} ${c.orders}`).join(', ');

  const today = shanghaiToday();
  const files = await timed('generate synthetic province', () => generateProvince({ families: options.families, dir: options.dir, creditDate: today }), (f) =>
    `${f.counts.persons} persons, ${f.counts.bindings} bindings in ${path.relative(process.cwd(), options.dir) || '.'}`);
  await importFile('institutions', files.institutions);
  await importFile('persons', files.persons);
  await importFile('accounts', files.accounts);
  await importFile('bindings', files.bindings);

  const year = Number(today.slice(0, 4)) + 1;
  const campaignId = await timed('campaign create', () => insertCampaign(app.db.pool, {
    year, province: '51', windowStart: `${year - 1}-09-01`, windowEnd: `${year - 1}-12-31`, mode: 'single',
    premiums: { adult: 40000, minor: 38000, student: 38000, senior: 40000 },
  }), (id) => `campaign ${id}: ${year}, province 51, single mode`);
  await timed('campaign run', () => runToEnd('run', campaignId), describeOrders);
  await importFile('credits', files.credits);
  await timed('import persons (changes)', () => runImport(app.db, IMPORTS.persons, files.personsUpdate), (s) => `${s.imported} residents moved to employee insurance`);
  await timed('retry INSUFFICIENT_BALANCE', () => runToEnd('retry', campaignId, 'INSUFFICIENT_BALANCE'), describeOrders);

  const businessDate = previousDay(today);
  const settlementsFile = await timed('generate settlements', () => generateSettlements(app.db.pool, { dir: options.dir, day: businessDate, events: Math.max(200, Math.round(options.families / 4)) }), (f) => path.basename(f));
  await importFile('settlements', settlementsFile);
  const inbox = path.join(options.dir, 'inbox');
  await timed('institution files', () => writeInstitutionFiles(app.db.pool, { inbox, day: businessDate }), (files) => `${files.length} files for ${businessDate} (one GB18030, one institution silent, discrepancies planted)`);
  const day = await timed(`recon run --date ${businessDate}`, async () => {
    const { jobId } = await startReconRun(app, { businessDate, inbox, outbox: path.join(options.dir, 'outbox') });
    return runUntilFinished<DayResult>(app, handlers, 'recon', jobId);
  }, (d) => `${d.files.length} files, ${d.discrepancies} discrepancies`);

  const ledger = await timed('ledger verify', () => verifyLedger(app.db.pool), (r) => (r.problems.length === 0 ? `OK: ${r.entries} entries, ${r.accounts} accounts` : `${r.problems.length} PROBLEMS`));
  const [[money]] = (await app.db.pool.query(
    `SELECT COALESCE(SUM(CASE WHEN order_id IS NOT NULL THEN -amount END), 0) AS premiums,
            COALESCE(SUM(CASE WHEN kind = 'credit' THEN amount END), 0) AS credits,
            COALESCE(SUM(CASE WHEN kind = 'debit' THEN -amount END), 0) AS debits
       FROM ledger_entries`,
  )) as unknown as [{ premiums: number; credits: number; debits: number }[]];
  return {
    families: options.families,
    campaignId,
    steps,
    orders: await countOrders(app.db.pool, campaignId),
    recon: { businessDate, report: day.report, counts: await countsOfDay(app.db.pool, businessDate) },
    money: { premiumsCollected: Number(money!.premiums), creditsIn: Number(money!.credits), debits: Number(money!.debits) },
    ledger,
  };
}
