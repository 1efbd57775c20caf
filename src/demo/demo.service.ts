import path from 'node:path';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { writeFile } from 'node:fs/promises';
import { countByCategoryAndTier, countOrders, findCampaign, insertCampaign } from '../campaign/campaign.repository.ts';
import { insertPremiumRules, readPremiumSchedule } from '../campaign/premium-schedule.ts';
import { refundDoublePaid } from '../campaign/refund.service.ts';
import { writeCsvExport } from '../csv/write-csv.ts';
import { inTransaction } from '../db/transaction.ts';
import { formatYuan } from '../domain/money.ts';
import { exportHandoff, handoffReport, REPORT_COLUMNS } from '../handoff/handoff.service.ts';
import { receiptsImport, type ReceiptCounts } from '../handoff/receipts.import.ts';
import { demoSchedule, generateReceipts } from './receipts.ts';
import { requestRun } from '../campaign/campaign.service.ts';
import { IMPORTS } from '../imports/catalog.ts';
import { runImport, type ImportKind, type ImportSummary } from '../imports/import-runner.ts';
import { verifyLedger, type LedgerReport } from '../ledger/verify.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { addDays, previousDay, shanghaiToday } from '../domain/time.ts';
import { countsOfDay } from '../recon/recon.repository.ts';
import { startReconRun, type DayResult } from '../recon/reconcile-day.service.ts';
import { generateProvince } from './province.ts';
import { generateSettlements, writeInstitutionFiles } from './settlements.ts';
import { countNoticesByEvent } from '../statements/notices.queries.ts';
import { loadStatement, type Statement } from '../statements/statement.queries.ts';
import { statementSubjects } from './statement-subjects.ts';

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
  /** Statements of the payer with the most relatives and of the relative with the most payers (SPEC 9). */
  statements: Statement[];
  notices: Awaited<ReturnType<typeof countNoticesByEvent>>;
}

/**
 * The whole product on a synthetic province: import the people, run a campaign, credit the monthly
 * contributions, retry the orders that lacked money, settle a day of pharmacy and hospital bills,
 * reconcile the institutions' files for that day, and prove the ledger. Each step goes through
 * the same services and jobs an operator's commands use. The campaign is priced by a schedule (a
 * city override, subsidy tiers), hands its payments to the tax bureau, applies the receipts and
 * refunds the one double payment they reveal.
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
  const scheduleFile = path.join(options.dir, 'premium-schedule.csv');
  await writeFile(scheduleFile, demoSchedule('51'));
  const campaignId = await timed('campaign create --schedule', async () => {
    const rules = await readPremiumSchedule(scheduleFile, '51');
    return inTransaction(app.db.pool, async (conn) => {
      const id = await insertCampaign(conn, {
        year, province: '51', windowStart: `${year - 1}-09-01`, windowEnd: `${year - 1}-12-31`, mode: 'single',
        premiums: { adult: 40000, minor: 38000, student: 38000, senior: 40000 },
      });
      await insertPremiumRules(conn, id, rules);
      return id;
    });
  }, (id) => `campaign ${id}: ${year}, province 51, single mode; city 5102 cheaper, dibao pays 50-100, tekun nothing`);
  await timed('campaign run', () => runToEnd('run', campaignId), describeOrders);
  await importFile('credits', files.credits);
  await timed('import persons (changes)', () => runImport(app.db, IMPORTS.persons, files.personsUpdate), (s) => `${s.imported} residents moved to employee insurance`);
  await timed('retry INSUFFICIENT_BALANCE', () => runToEnd('retry', campaignId, 'INSUFFICIENT_BALANCE'), describeOrders);
  await timed('campaign status by tier', () => countByCategoryAndTier(app.db.pool, campaignId), (tiers) =>
    tiers.map((t) => `${t.category}${t.subsidyTier ? `/${t.subsidyTier}` : ''} ${t.paid} paid ${formatYuan(t.collected)}`).join(', '));

  // The tax bureau hears of today's payments, sends receipts back, and a double payment is refunded.
  const campaign = (await findCampaign(app.db.pool, campaignId))!;
  const actor = { operator: 'demo', source: 'cli' as const };
  await timed('handoff export', () => exportHandoff(app.db.pool, campaign, today, path.join(options.dir, `handoff_${today.replaceAll('-', '')}.csv`), actor), (n) => `${n} orders paid today (file mode 0600)`);
  const receiptsFile = await generateReceipts(app.db.pool, { dir: options.dir, campaignId, year, day: today });
  const receiptCounts: ReceiptCounts = {};
  await timed('handoff receipts', () => runImport(app.db, receiptsImport(receiptCounts), receiptsFile), () => Object.entries(receiptCounts).map(([c, n]) => `${c} ${n}`).join(', '));
  await timed('refund --double-paid', () => refundDoublePaid(app.db.pool, campaignId, actor), (o) => `${o.filter((r) => r.refunded).length} double payment refunded`);
  const handoffRows = await timed('handoff report --as-of +8 days', () => handoffReport(app.db.pool, campaign, addDays(today, 8)), (rows) => {
    const byCode = new Map<string, number>();
    for (const r of rows) byCode.set(r[0]!, (byCode.get(r[0]!) ?? 0) + 1);
    return [...byCode].map(([c, n]) => `${c} ${n}`).join(', ');
  });
  await writeCsvExport(path.join(options.dir, 'handoff_report.csv'), REPORT_COLUMNS, (async function* () { yield handoffRows; })());

  const businessDate = previousDay(today);
  const settlementsFile = await timed('generate settlements', () => generateSettlements(app.db.pool, { dir: options.dir, day: businessDate, events: Math.max(200, Math.round(options.families / 4)) }), (f) => path.basename(f));
  await importFile('settlements', settlementsFile);
  const inbox = path.join(options.dir, 'inbox');
  await timed('institution files', () => writeInstitutionFiles(app.db.pool, { inbox, day: businessDate }), (files) => `${files.length} files for ${businessDate} (one GB18030, one institution silent, one zipped 3202, a balanced and an unbalanced 3201, discrepancies planted)`);
  const day = await timed(`recon run --date ${businessDate}`, async () => {
    const { jobId } = await startReconRun(app, { businessDate, inbox, outbox: path.join(options.dir, 'outbox') });
    return runUntilFinished<DayResult>(app, handlers, 'recon', jobId);
  }, (d) => `${d.files.length} files, ${d.discrepancies} discrepancies`);

  const statements = await timed('statements', async () => {
    const { payer, relative } = await statementSubjects(app.db.pool);
    const read = async (psnNo: string | null) => (psnNo === null ? [] : [(await loadStatement(app.db.pool, psnNo, { from: null, to: null }))!]);
    return [...(await read(payer)), ...(await read(relative))];
  }, (list) => list.map((st) => `${st.person.psnNo}: ${st.rows.length} movements`).join(', '));
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
    statements,
    notices: await countNoticesByEvent(app.db.pool),
  };
}
