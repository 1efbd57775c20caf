import path from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { formatYuan } from '../domain/money.ts';
import { LineWriter } from './csv-writer.ts';

/** Premium of the demo's schedule: a city override for 5?02 and the dibao and tekun tiers across the province. */
export function demoSchedule(province: string): string {
  const rows = [
    [`${province}02`, 'adult', '', '360'],
    [`${province}02`, 'minor', '', '340'],
    [`${province}02`, 'student', '', '340'],
    ...['adult', 'minor', 'student', 'senior'].map((c) => [province, c, 'dibao', c === 'adult' || c === 'senior' ? '100' : '50']),
    ...['adult', 'minor', 'student', 'senior'].map((c) => [province, c, 'tekun', '0']),
  ];
  return ['admdvs_prefix,resident_category,subsidy_tier,premium', ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/**
 * The tax bureau's receipts for a campaign's paid orders, as it would send them back: most received
 * as paid, one for a different amount, one paid order also paid through another channel (a double
 * payment to refund), three unpaid orders paid through another channel (never to be charged), one
 * person it does not know, and the last five paid orders not yet receipted.
 */
export async function generateReceipts(pool: Pool, options: { dir: string; campaignId: number; year: number; day: string }): Promise<string> {
  const [paid] = await pool.query<RowDataPacket[]>(
    "SELECT psn_no, premium FROM premium_orders WHERE campaign_id = ? AND status = 'paid' ORDER BY psn_no",
    [options.campaignId],
  );
  const [unpaid] = await pool.query<RowDataPacket[]>(
    "SELECT psn_no, premium FROM premium_orders WHERE campaign_id = ? AND status = 'failed' ORDER BY psn_no LIMIT 3",
    [options.campaignId],
  );
  const file = path.join(options.dir, `receipts_${options.day.replaceAll('-', '')}.csv`);
  const out = new LineWriter(file, ['receipt_no', 'psn_no', 'year', 'amount', 'channel', 'paid_at']);
  let n = 0;
  const receipt = (psnNo: string, amount: number, channel: 'family_account' | 'other') =>
    out.row([`TB${options.day.replaceAll('-', '')}${String(++n).padStart(7, '0')}`, psnNo, options.year, formatYuan(amount), channel, `${options.day} 16:00:00`]);
  for (const [i, o] of paid.slice(0, Math.max(0, paid.length - 5)).entries()) {
    await receipt(o.psn_no, i === 0 ? o.premium - 1000 : o.premium, 'family_account');
    if (i === 1) await receipt(o.psn_no, o.premium, 'other');
  }
  for (const o of unpaid) await receipt(o.psn_no, o.premium, 'other');
  await receipt('99UNKNOWN', 40000, 'family_account');
  await out.close();
  return file;
}
