import type { Command } from 'commander';
import { findCampaign } from '../campaign/campaign.repository.ts';
import { formatPayments, streamOrders } from '../campaign/orders.queries.ts';
import { formatYuan } from '../domain/money.ts';
import { parseId, withApp } from './app.ts';
import { printJson, printLine, UserError } from './output.ts';
import { writeCsvExport } from '../csv/write-csv.ts';

const COLUMNS = ['psn_no', 'status', 'premium', 'failure_code', 'payments'] as const;

export function registerOrderCommands(program: Command): void {
  const orders = program.command('orders').description('premium orders');
  orders.command('export')
    .description('write every order of a campaign to CSV, in psn_no order')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'machine-readable output')
    .action((options: { campaign: string; out: string; json?: boolean }) => withApp(async (app) => {
      const campaignId = parseId(options.campaign, '--campaign');
      if (!(await findCampaign(app.db.pool, campaignId))) throw new UserError(`campaign ${campaignId} does not exist`);
      async function* rows() {
        for await (const page of streamOrders(app.db.pool, campaignId)) {
          yield page.map((o) => [
            o.psnNo, o.status, formatYuan(o.premium), o.failureCode ?? '',
            formatPayments(o.payments),
          ]);
        }
      }
      const count = await writeCsvExport(options.out, COLUMNS, rows());
      if (options.json) printJson({ file: options.out, orders: count });
      else printLine(`${count} orders written to ${options.out}`);
    }));
}
