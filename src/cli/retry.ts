import type { Command } from 'commander';
import { findOrder } from '../campaign/orders.queries.ts';
import { parseId, withApp } from './app.ts';
import { startRun } from './campaign.ts';
import { printJson, printLine, UserError } from './output.ts';

const CODES = ['INSUFFICIENT_BALANCE', 'WRONG_PAYEE', 'BENEFICIARY_INELIGIBLE'];

export function registerRetryCommand(program: Command): void {
  program.command('retry')
    .description('evaluate failed or skipped orders afresh (never paid ones), in ascending psn_no')
    .option('--order <id>', 'one order')
    .option('--campaign <id>', 'every failed and skipped order of a campaign')
    .option('--code <code>', `with --campaign: only this code (${CODES.join(', ')})`)
    .option('--wait', 'run the work in this process and return when every order is final')
    .option('--operator <name>', 'who asks, for the audit trail')
    .option('--json', 'machine-readable output')
    .action((options: { order?: string; campaign?: string; code?: string; wait?: boolean; json?: boolean; operator?: string }) => withApp(async (app) => {
      if ((options.order === undefined) === (options.campaign === undefined)) throw new UserError('give exactly one of --order ID or --campaign ID');
      if (options.code !== undefined && !CODES.includes(options.code)) throw new UserError(`--code must be one of ${CODES.join(', ')}`);
      if (options.order !== undefined) {
        if (options.code !== undefined) throw new UserError('--code goes with --campaign');
        const order = await findOrder(app.db.pool, parseId(options.order, '--order'));
        if (!order) throw new UserError(`order ${options.order} does not exist`);
        if (order.status === 'paid') {
          // Paying twice is the one thing a retry must never do.
          if (options.json) printJson({ orderId: order.id, status: 'paid', retried: false });
          else printLine(`order ${order.id} is already paid: nothing to retry`);
          return;
        }
        await startRun(app, { campaignId: order.campaignId, kind: 'retry', orderId: order.id }, options);
        return;
      }
      await startRun(app, { campaignId: parseId(options.campaign!, '--campaign'), kind: 'retry', code: options.code }, options);
    }));
}
