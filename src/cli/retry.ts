import { Option, type Command } from 'commander';
import { RETRY_CODES, requestRetry, type RetryTarget } from '../campaign/campaign.service.ts';
import { parseId, withApp } from './app.ts';
import { cliActor, reportRun } from './campaign.ts';
import { printJson, printLine, UserError } from './output.ts';

const STATUS_OF = { 'already paid': 'paid', refunded: 'refunded', 'paid through another channel': 'skipped' } as const;

export function registerRetryCommand(program: Command): void {
  program.command('retry')
    .description('evaluate failed or skipped orders afresh (never paid, refunded or ALREADY_PAID ones), in ascending psn_no')
    .option('--order <id>', 'one order')
    .option('--campaign <id>', 'every failed and skipped order of a campaign')
    .addOption(new Option('--code <code>', 'with --campaign: only this code').choices(RETRY_CODES))
    .option('--wait', 'run the work in this process and return when every order is final')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((options: { order?: string; campaign?: string; code?: string; wait?: boolean; json?: boolean; operator?: string }) => withApp(async (app) => {
      if ((options.order === undefined) === (options.campaign === undefined)) throw new UserError('give exactly one of --order ID or --campaign ID');
      if (options.order !== undefined && options.code !== undefined) throw new UserError('--code goes with --campaign');
      const target: RetryTarget = options.order !== undefined
        ? { orderId: parseId(options.order, '--order') }
        : { campaignId: parseId(options.campaign!, '--campaign'), code: options.code as (typeof RETRY_CODES)[number] | undefined };
      const started = Date.now();
      const outcome = await requestRetry(app, target, cliActor(options.operator));
      if (!outcome.retried) {
        if (options.json) printJson({ orderId: outcome.orderId, status: STATUS_OF[outcome.reason], retried: false, reason: outcome.reason });
        else printLine(`order ${outcome.orderId} is ${outcome.reason === 'refunded' ? 'refunded: it is never charged again' : `${outcome.reason}: nothing to retry`}`);
        return;
      }
      const orderId = 'orderId' in target ? target.orderId : undefined;
      await reportRun(app, { campaignId: outcome.campaignId, kind: 'retry', orderId, runId: outcome.runId, jobId: outcome.jobId }, options, started);
    }, { redis: true }));
}
