import { Option, type Command } from 'commander';
import { findCampaign } from '../campaign/campaign.repository.ts';
import { listFailures } from '../campaign/orders.queries.ts';
import { formatYuan } from '../domain/money.ts';
import { PREMIUM_FAILURE_CODES } from '../domain/premium.ts';
import { nonNegativeInteger, parseId, withApp } from './app.ts';
import { printJson, printLine, printTable, UserError } from './output.ts';

export function registerFailureCommands(program: Command): void {
  const failures = program.command('failures').description('failed and skipped orders');
  failures.command('list')
    .description('failed and skipped orders with their code and reason')
    .option('--campaign <id>', 'only this campaign')
    .addOption(new Option('--code <code>', 'only this failure code').choices(PREMIUM_FAILURE_CODES))
    .addOption(new Option('--limit <n>', 'at most this many rows (0 = all; default 200, all with --json)').argParser(nonNegativeInteger))
    .option('--json', 'machine-readable output')
    .action((options: { campaign?: string; code?: string; limit?: number; json?: boolean }) => withApp(async (app) => {
      const limit = options.limit ?? (options.json ? 0 : 200);
      const campaignId = options.campaign === undefined ? undefined : parseId(options.campaign, '--campaign');
      if (campaignId !== undefined && !(await findCampaign(app.db.pool, campaignId))) throw new UserError(`campaign ${campaignId} does not exist`);
      const { total, rows } = await listFailures(app.db.pool, { campaignId, code: options.code, limit });
      const out = rows.map((r) => ({
        order_id: r.orderId, psn_no: r.psnNo, status: r.status, failure_code: r.failureCode, premium: formatYuan(r.premium), detail: r.detail ?? '',
      }));
      if (options.json) {
        printJson(out);
        return;
      }
      printTable(['order_id', 'psn_no', 'status', 'failure_code', 'premium', 'detail'], out.map((r) => Object.values(r)));
      printLine(rows.length < total ? `${rows.length} of ${total} shown (--limit 0 for all)` : `${total} failures`);
    }));
}
