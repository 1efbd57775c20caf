import type { Command } from 'commander';
import { findCampaign, type CampaignRow } from '../campaign/campaign.repository.ts';
import { writeCsvExport } from '../csv/write-csv.ts';
import type { App } from '../app.ts';
import { parseDate, shanghaiToday } from '../domain/time.ts';
import { exportHandoff, handoffReport, REPORT_COLUMNS } from '../handoff/handoff.service.ts';
import { receiptsImport, type ReceiptCounts } from '../handoff/receipts.import.ts';
import { runImport } from '../imports/import-runner.ts';
import { finishAction, recordAction } from '../audit/audit.repository.ts';
import { parseId, withApp } from './app.ts';
import { cliActor } from './campaign.ts';
import { formatRowProblem } from './import.ts';
import { EXIT, printJson, printLine, printTable, UserError } from './output.ts';

async function campaignOf(app: App, id: string): Promise<CampaignRow> {
  const campaign = await findCampaign(app.db.pool, parseId(id, '--campaign'));
  if (!campaign) throw new UserError(`campaign ${id} does not exist`);
  return campaign;
}

function dateOption(value: string, option: string): string {
  const date = parseDate(value);
  if (!date) throw new UserError(`${option} must be a date YYYY-MM-DD, got '${value}'`);
  return date;
}

export function registerHandoffCommands(program: Command): void {
  const handoff = program.command('handoff').description('hand-off of premiums to the tax bureau (集中征缴) and its receipts');

  handoff.command('export')
    .description('write the orders paid on a day and still paid, with full ID numbers (file mode 0600, audited)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--date <date>', 'the day the orders were paid, YYYY-MM-DD (Asia/Shanghai)')
    .requiredOption('--out <file>', 'CSV file to write: psn_no, id_number, year, premium, paid_at, payers')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((options: { campaign: string; date: string; out: string; operator?: string; json?: boolean }) => withApp(async (app) => {
      const campaign = await campaignOf(app, options.campaign);
      const date = dateOption(options.date, '--date');
      const count = await exportHandoff(app.db.pool, campaign, date, options.out, cliActor(options.operator));
      if (options.json) printJson({ file: options.out, date, orders: count });
      else printLine(`${count} orders paid on ${date} written to ${options.out} (mode 0600: it holds full ID numbers)`);
    }));

  handoff.command('receipts <file>')
    .description("import the tax bureau's receipts (receipt_no, psn_no, year, amount, channel, paid_at), each applied once by receipt_no")
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { operator?: string; json?: boolean }) => withApp(async (app) => {
      const counts: ReceiptCounts = {};
      const summary = await runImport(app.db, receiptsImport(counts), file);
      const actionId = await recordAction(app.db.pool, cliActor(options.operator), 'handoff.receipts', {
        file: summary.file, read: summary.read, imported: summary.imported, unchanged: summary.unchanged, rejected: summary.rejected, outcomes: counts,
      });
      await finishAction(app.db.pool, actionId, summary.imported);
      if (summary.rejected > 0) process.exitCode = EXIT.rowsRejected;
      if (options.json) {
        printJson({ ...summary, outcomes: counts });
        return;
      }
      for (const problem of summary.errors) process.stderr.write(`${formatRowProblem(summary.file, problem)}\n`);
      printLine(`${summary.file}: receipts: ${summary.read} rows read, ${summary.imported} applied, ${summary.unchanged} unchanged, ${summary.rejected} rejected`);
      const outcomes = Object.entries(counts);
      if (outcomes.length > 0) printLine(outcomes.map(([code, n]) => `${code} ${n}`).join(', '));
    }));

  handoff.command('report')
    .description('receipts other than RECEIVED, and NOT_RECEIVED orders handed off more than 7 days before --as-of')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--as-of <date>', 'the day to judge NOT_RECEIVED on, YYYY-MM-DD (default: today, Asia/Shanghai)')
    .option('--out <file>', 'write CSV: code, psn_no, order_id, receipt_no, order_premium, receipt_amount, detail')
    .option('--json', 'machine-readable output')
    .action((options: { campaign: string; asOf?: string; out?: string; json?: boolean }) => withApp(async (app) => {
      const campaign = await campaignOf(app, options.campaign);
      const asOf = options.asOf === undefined ? shanghaiToday() : dateOption(options.asOf, '--as-of');
      const rows = await handoffReport(app.db.pool, campaign, asOf);
      if (options.out) {
        await writeCsvExport(options.out, REPORT_COLUMNS, (async function* () { yield rows; })());
        if (options.json) printJson({ file: options.out, asOf, rows: rows.length });
        else printLine(`${rows.length} rows written to ${options.out} (as of ${asOf})`);
        return;
      }
      if (options.json) {
        printJson(rows.map((r) => Object.fromEntries(REPORT_COLUMNS.map((c, i) => [c, r[i]]))));
        return;
      }
      printTable([...REPORT_COLUMNS], rows);
      printLine(`${rows.length} rows as of ${asOf} for campaign ${campaign.id}`);
    }));

}
