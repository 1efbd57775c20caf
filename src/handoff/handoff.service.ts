import type { Pool } from 'mysql2/promise';
import path from 'node:path';
import type { CampaignRow } from '../campaign/campaign.repository.ts';
import { formatPayments, paymentsOfOrders } from '../campaign/orders.queries.ts';
import { writeCsvExport } from '../csv/write-csv.ts';
import { byteOrder } from '../domain/eligibility.ts';
import { formatYuan } from '../domain/money.ts';
import { addDays, shanghaiNow, withOffset } from '../domain/time.ts';
import { finishAction, recordAction, type Actor } from '../audit/audit.repository.ts';
import { markHandedOff, notReceived, paidBetween, receiptProblems, type ReceiptProblem } from './handoff.repository.ts';

export const HANDOFF_COLUMNS = ['psn_no', 'id_number', 'year', 'premium', 'paid_at', 'payers'] as const;
export const REPORT_COLUMNS = ['code', 'psn_no', 'order_id', 'receipt_no', 'order_premium', 'receipt_amount', 'detail'] as const;

/** A receipt is due this many whole days after the hand-off (SPEC 10). */
export const RECEIPT_DUE_DAYS = 7;

/**
 * Writes the orders paid on `date` (Asia/Shanghai) and still paid for the tax bureau. The file holds
 * full ID numbers: it is created with mode 0600, and the export is audited. Each order's first
 * hand-off is recorded once the file is complete.
 */
export async function exportHandoff(pool: Pool, campaign: CampaignRow, date: string, out: string, actor: Actor): Promise<number> {
  const exported: number[] = [];
  async function* rows() {
    for await (const page of paidBetween(pool, campaign.id, `${date} 00:00:00`, `${addDays(date, 1)} 00:00:00`)) {
      const payments = await paymentsOfOrders(pool, page.map((o) => o.orderId));
      for (const o of page) exported.push(o.orderId);
      yield page.map((o) => [
        o.psnNo, o.idNumber, String(campaign.year), formatYuan(o.premium), withOffset(o.chargedAt), formatPayments(payments.get(o.orderId) ?? []),
      ]);
    }
  }
  const count = await writeCsvExport(out, HANDOFF_COLUMNS, rows(), { mode: 0o600 });
  await markHandedOff(pool, exported, shanghaiNow());
  const actionId = await recordAction(pool, actor, 'handoff.export', { campaignId: campaign.id, date, file: path.basename(out), orders: count });
  await finishAction(pool, actionId, count);
  return count;
}

const CODE_ORDER = ['AMOUNT_DIFFERS', 'UNKNOWN_ORDER', 'ALREADY_PAID', 'DOUBLE_PAID', 'NOT_RECEIVED'];

/**
 * The hand-off report of a campaign as of a day: every receipt outcome but RECEIVED (a refunded
 * double payment stays, saying so), and NOT_RECEIVED for paid orders handed off more than 7 days
 * before `asOf` with no receipt since. Rows by code, then psn_no, then receipt_no.
 */
export async function handoffReport(pool: Pool, campaign: CampaignRow, asOf: string): Promise<string[][]> {
  const problems = [
    ...(await receiptProblems(pool, campaign.id, campaign.year)),
    ...(await notReceived(pool, campaign.id, `${addDays(asOf, -RECEIPT_DUE_DAYS)} 00:00:00`)),
  ];
  problems.sort((a, b) => CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code) || byteOrder(a.psnNo, b.psnNo) || byteOrder(a.receiptNo, b.receiptNo));
  return problems.map((p) => [
    p.code, p.psnNo, p.orderId === null ? '' : String(p.orderId), p.receiptNo,
    p.orderPremium === null ? '' : formatYuan(p.orderPremium), p.receiptAmount === null ? '' : formatYuan(p.receiptAmount), detailOf(p),
  ]);
}

function detailOf(p: ReceiptProblem): string {
  if (p.code === 'NOT_RECEIVED') return `handed off ${withOffset(p.handedOffAt!)}; no receipt after ${RECEIPT_DUE_DAYS} days`;
  if (p.code === 'DOUBLE_PAID' && p.orderStatus === 'refunded') return `double payment refunded ${withOffset(p.refundedAt!)}; ${p.detail}`;
  return p.detail;
}
