import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../../db/client.ts';

export async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const [[row]] = await db.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table],
  );
  return Number(row!.n) > 0;
}

/** Codes a file's counts hold, in the order the console shows them (MISSING_IN_FILE comes from the outcomes). */
export const FILE_CODES = ['MATCHED', 'AMOUNT_MISMATCH', 'WRONG_PAYEE', 'MISSING_IN_LEDGER', 'DUPLICATE_ROW', 'INVALID_ROW'] as const;
export type GridCode = (typeof FILE_CODES)[number] | 'MISSING_IN_FILE';

export interface ReconCell {
  /** The institution's file of the day, if it sent one that was processed. */
  file: string | null;
  counts: Partial<Record<GridCode, number>>;
}

export interface ReconGrid {
  /** Latest reconciled days, newest first. */
  days: string[];
  institutions: string[];
  /** cells[institution][day]; a missing cell means nothing was sent and nothing was due. */
  cells: Record<string, Record<string, ReconCell>>;
}

/**
 * The last `days` reconciled business days, per institution that sent a file on any of them or had
 * settlements it did not report: the rows where a silent institution shows as a gap.
 */
export async function reconGrid(db: Queryable, days: number): Promise<ReconGrid | null> {
  if (!(await tableExists(db, 'recon_days'))) return null;
  const [dayRows] = await db.query<RowDataPacket[]>('SELECT business_date FROM recon_days ORDER BY business_date DESC LIMIT ?', [days]);
  const dates = dayRows.map((r) => r.business_date as string);
  const grid: ReconGrid = { days: dates, institutions: [], cells: {} };
  if (dates.length === 0) return grid;
  const cell = (institution: string, day: string) => {
    const row = (grid.cells[institution] ??= {});
    return (row[day] ??= { file: null, counts: {} });
  };
  const [files] = await db.query<RowDataPacket[]>(
    `SELECT l.business_date, l.fixmedins_code, f.file_name, f.matched, f.amount_mismatch, f.wrong_payee, f.missing_in_ledger, f.duplicate_row, f.invalid_row
       FROM recon_latest_files l JOIN recon_files f ON f.id = l.file_id WHERE l.business_date IN (?)`,
    [dates],
  );
  for (const f of files) {
    const c = cell(f.fixmedins_code, f.business_date);
    c.file = f.file_name;
    FILE_CODES.forEach((code) => {
      const n = Number(f[code.toLowerCase()]);
      if (n > 0) c.counts[code] = n;
    });
  }
  // MISSING_IN_FILE outcomes carry no file: recon_outcomes_day_idx serves (day, institution, file_id IS NULL).
  const [missing] = await db.query<RowDataPacket[]>(
    `SELECT business_date, fixmedins_code, COUNT(*) AS n FROM recon_outcomes
      WHERE business_date IN (?) AND file_id IS NULL AND code = 'MISSING_IN_FILE' GROUP BY business_date, fixmedins_code`,
    [dates],
  );
  for (const m of missing) cell(m.fixmedins_code, m.business_date).counts.MISSING_IN_FILE = Number(m.n);
  grid.institutions = Object.keys(grid.cells).sort();
  return grid;
}

export interface RefundTotals {
  campaignId: number;
  orders: number;
  /** Fen given back. */
  amount: number;
}

/** Refunded premium orders per campaign. */
export async function refundTotals(db: Queryable, campaignIds: number[]): Promise<RefundTotals[]> {
  const totals = await Promise.all(campaignIds.map(async (campaignId) => {
    // orders_campaign_status_idx serves (campaign_id, status).
    const [[row]] = await db.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n, COALESCE(SUM(premium), 0) AS fen FROM premium_orders WHERE campaign_id = ? AND status = 'refunded'", [campaignId],
    );
    return { campaignId, orders: Number(row!.n), amount: Number(row!.fen) };
  }));
  return totals.filter((t) => t.orders > 0);
}

export interface ReceiptOutcomes {
  campaignId: number;
  counts: { code: string; n: number }[];
}

/** The tax bureau's receipts per campaign and outcome (tax_receipts_campaign_idx). */
export async function receiptOutcomes(db: Queryable, campaignIds: number[]): Promise<ReceiptOutcomes[]> {
  if (campaignIds.length === 0) return [];
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT campaign_id, outcome, COUNT(*) AS n FROM tax_receipts WHERE campaign_id IN (?) GROUP BY campaign_id, outcome ORDER BY campaign_id, outcome',
    [campaignIds],
  );
  const byCampaign = new Map<number, ReceiptOutcomes>();
  for (const r of rows) {
    const id = Number(r.campaign_id);
    if (!byCampaign.has(id)) byCampaign.set(id, { campaignId: id, counts: [] });
    byCampaign.get(id)!.counts.push({ code: String(r.outcome), n: Number(r.n) });
  }
  return [...byCampaign.values()];
}
