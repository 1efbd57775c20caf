import type { Command } from 'commander';
import { findCampaign } from '../campaign/campaign.repository.ts';
import { OrderNotFoundError } from '../campaign/order-not-found.error.ts';
import { OrderNotRefundableError, refundDoublePaid, refundOrder, type RefundOutcome } from '../campaign/refund.service.ts';
import { formatYuan } from '../domain/money.ts';
import { parseId, withApp } from './app.ts';
import { cliActor } from './campaign.ts';
import { printJson, printLine, UserError } from './output.ts';

interface RefundOptions {
  order?: string;
  campaign?: string;
  doublePaid?: boolean;
  reason?: string;
  operator?: string;
  json?: boolean;
}

const asJson = (o: RefundOutcome) => (o.refunded
  ? { orderId: o.orderId, psnNo: o.psnNo, refunded: true, amount: formatYuan(o.amount), payments: o.refunds.map((r) => `${r.payerPsnNo}:${formatYuan(r.amount)}`).join(';') }
  : { orderId: o.orderId, psnNo: o.psnNo, refunded: false, reason: o.reason });

const describe = (o: RefundOutcome) => (o.refunded
  ? `order ${o.orderId} (${o.psnNo}) refunded: ${formatYuan(o.amount)} credited back to ${o.refunds.map((r) => `${r.payerPsnNo}:${formatYuan(r.amount)}`).join(';')}`
  : `order ${o.orderId} (${o.psnNo}) was already refunded: nothing changed`);

export function registerRefundCommand(program: Command): void {
  program.command('refund')
    .description('give a paid premium back: every debit credited to its account, the order refunded and never charged again (runs here, one transaction per order)')
    .option('--order <id>', 'one paid order (needs --reason)')
    .option('--campaign <id>', 'with --double-paid: every order the tax bureau reported paid through another channel too')
    .option('--double-paid', 'refund the DOUBLE_PAID orders of --campaign')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((options: RefundOptions) => withApp(async (app) => {
      if ((options.order === undefined) === (options.campaign === undefined)) throw new UserError('give exactly one of --order ID or --campaign ID --double-paid');
      const actor = cliActor(options.operator);
      let outcomes: RefundOutcome[];
      try {
        if (options.order !== undefined) {
          if (options.doublePaid) throw new UserError('--double-paid goes with --campaign');
          if (!options.reason?.trim()) throw new UserError('--reason is required with --order');
          outcomes = [await refundOrder(app.db.pool, parseId(options.order, '--order'), options.reason, actor)];
        } else {
          if (!options.doublePaid) throw new UserError('--campaign refunds only the double-paid orders: add --double-paid');
          const campaignId = parseId(options.campaign!, '--campaign');
          if (!(await findCampaign(app.db.pool, campaignId))) throw new UserError(`campaign ${campaignId} does not exist`);
          outcomes = await refundDoublePaid(app.db.pool, campaignId, actor, options.reason?.trim() || undefined);
        }
      } catch (error) {
        if (error instanceof OrderNotFoundError || error instanceof OrderNotRefundableError) throw new UserError(error.message);
        throw error;
      }
      const refunded = outcomes.filter((o) => o.refunded);
      if (options.json) {
        printJson({ refunded: refunded.length, alreadyRefunded: outcomes.length - refunded.length, orders: outcomes.map(asJson) });
        return;
      }
      for (const o of outcomes) printLine(describe(o));
      if (options.campaign !== undefined) {
        const total = refunded.reduce((sum, o) => sum + (o.refunded ? o.amount : 0), 0);
        printLine(`${refunded.length} double-paid orders refunded (${formatYuan(total)} yuan), ${outcomes.length - refunded.length} already refunded`);
      }
    }));
}
