import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import { PREMIUM_CATEGORIES, type CampaignMode, type PremiumCategory } from '../domain/premium.ts';
import type { Fen } from '../domain/money.ts';

export interface CampaignRow {
  id: number;
  year: number;
  province: string;
  windowStart: string;
  windowEnd: string;
  mode: CampaignMode;
  premiums: Record<PremiumCategory, Fen>;
}

export async function insertCampaign(pool: Queryable, c: Omit<CampaignRow, 'id'>): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO campaigns (year, province, window_start, window_end, mode, premium_adult, premium_minor, premium_student, premium_senior)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [c.year, c.province, c.windowStart, c.windowEnd, c.mode, c.premiums.adult, c.premiums.minor, c.premiums.student, c.premiums.senior],
  );
  return result.insertId;
}

export async function findCampaign(db: Queryable, id: number): Promise<CampaignRow | null> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT * FROM campaigns WHERE id = ?', [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, year: r.year, province: r.province, windowStart: r.window_start, windowEnd: r.window_end, mode: r.mode,
    premiums: { adult: r.premium_adult, minor: r.premium_minor, student: r.premium_student, senior: r.premium_senior },
  };
}

export async function listCampaigns(pool: Pool): Promise<CampaignRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id FROM campaigns ORDER BY id');
  return (await Promise.all(rows.map((r) => findCampaign(pool, r.id as number)))).filter((c): c is CampaignRow => c !== null);
}

export async function insertRun(pool: Queryable, run: { campaignId: number; kind: 'run' | 'retry'; params: unknown; requestedBy: string }): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(
    'INSERT INTO campaign_runs (campaign_id, kind, params, requested_by) VALUES (?, ?, ?, ?)',
    [run.campaignId, run.kind, run.params === undefined ? null : JSON.stringify(run.params), run.requestedBy],
  );
  return result.insertId;
}

export async function finishRun(pool: Pool, runId: number, summary: unknown): Promise<void> {
  await pool.query('UPDATE campaign_runs SET finished_at = CURRENT_TIMESTAMP, summary = ? WHERE id = ? AND finished_at IS NULL', [JSON.stringify(summary), runId]);
}

/** Persons per planning statement: small enough that no statement locks a whole province. */
export const PLAN_BATCH = 50_000;

export async function maxPersonId(pool: Pool): Promise<number> {
  const [[bounds]] = await pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS maxId FROM persons');
  return Number(bounds!.maxId);
}

/**
 * Creates a pending order for every beneficiary with a person id in (from, to] who qualifies at
 * `at` (`shouldPlanOrder` in domain/premium.ts, here in SQL) and has none yet. The UNIQUE (campaign_id, person_id) key makes a concurrent or repeated
 * planning create nothing twice.
 */
export async function planOrderRange(pool: Pool, campaign: CampaignRow, at: string, from: number, to: number): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, status, planned_at)
     SELECT ?, p.id, p.psn_no, p.resident_category,
            CASE p.resident_category WHEN 'minor' THEN ? WHEN 'student' THEN ? WHEN 'senior' THEN ? ELSE ? END,
            'pending', ?
       FROM persons p
      WHERE p.id > ? AND p.id <= ?
        AND p.insutype = '390' AND p.status = 'active' AND LEFT(p.admdvs, 2) = ?
        AND p.resident_category IN (?)
        AND EXISTS (SELECT 1 FROM bindings b WHERE b.beneficiary_id = p.id AND b.bound_at <= ? AND (b.revoked_at IS NULL OR b.revoked_at > ?))
        AND NOT EXISTS (SELECT 1 FROM premium_orders o WHERE o.campaign_id = ? AND o.person_id = p.id)
     ON DUPLICATE KEY UPDATE premium_orders.id = premium_orders.id`,
    [
      campaign.id, campaign.premiums.minor, campaign.premiums.student, campaign.premiums.senior, campaign.premiums.adult, at,
      from, to, campaign.province, PREMIUM_CATEGORIES, at, at, campaign.id,
    ],
  );
  return result.affectedRows;
}

/** Plans the whole province, range by range. */
export async function planOrders(pool: Pool, campaign: CampaignRow, at: string): Promise<number> {
  const maxId = await maxPersonId(pool);
  let planned = 0;
  for (let from = 0; from < maxId; from += PLAN_BATCH) planned += await planOrderRange(pool, campaign, at, from, from + PLAN_BATCH);
  return planned;
}

/** Pending orders of beneficiaries with a person id in (from, to]; served by the (campaign_id, person_id) key. */
export async function pendingOrdersInRange(pool: Pool, campaignId: number, from: number, to: number): Promise<{ id: number; person_id: number }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT id, person_id FROM premium_orders WHERE campaign_id = ? AND person_id > ? AND person_id <= ? AND status = 'pending' ORDER BY id",
    [campaignId, from, to],
  );
  return rows as { id: number; person_id: number }[];
}

/** Every binding as (beneficiary, payer), a beneficiary-id range at a time (primary-key order). */
export async function* allBindings(pool: Pool, maxId: number, step = 200_000): AsyncGenerator<{ beneficiary_id: number; payer_id: number }[]> {
  for (let from = 0; from < maxId; from += step) {
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT beneficiary_id, payer_id FROM bindings WHERE beneficiary_id > ? AND beneficiary_id <= ?',
      [from, from + step],
    );
    yield rows as { beneficiary_id: number; payer_id: number }[];
  }
}

export interface OrderSelection {
  campaignId: number;
  statuses: readonly ('pending' | 'failed' | 'skipped')[];
  failureCode?: string;
  orderId?: number;
}

/** The orders a run charges and the bindings that join them into clusters, read in id pages. */
export async function loadOrderGraph(pool: Pool, selection: OrderSelection): Promise<{ orders: { orderId: number; beneficiaryId: number }[]; edges: [number, number][] }> {
  const orders: { orderId: number; beneficiaryId: number }[] = [];
  const edges: [number, number][] = [];
  const where = ['o.campaign_id = ?', 'o.status IN (?)'];
  const params: unknown[] = [selection.campaignId, selection.statuses];
  if (selection.failureCode) {
    where.push('o.failure_code = ?');
    params.push(selection.failureCode);
  }
  if (selection.orderId) {
    where.push('o.id = ?');
    params.push(selection.orderId);
  }
  const page = 20_000;
  for (let after = 0; ; ) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT o.id, o.person_id FROM premium_orders o WHERE ${where.join(' AND ')} AND o.id > ? ORDER BY o.id LIMIT ?`,
      [...params, after, page],
    );
    if (rows.length === 0) break;
    const beneficiaryIds = rows.map((r) => r.person_id as number);
    for (const r of rows) orders.push({ orderId: r.id, beneficiaryId: r.person_id });
    const [bindingRows] = await pool.query<RowDataPacket[]>('SELECT beneficiary_id, payer_id FROM bindings WHERE beneficiary_id IN (?)', [beneficiaryIds]);
    for (const b of bindingRows) edges.push([b.beneficiary_id, b.payer_id]);
    after = rows[rows.length - 1]!.id;
    if (rows.length < page) break;
  }
  return { orders, edges };
}

export async function countOrders(pool: Pool, campaignId: number): Promise<{ status: string; failureCode: string | null; orders: number; premium: Fen }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT status, failure_code, COUNT(*) AS orders, COALESCE(SUM(premium), 0) AS premium
       FROM premium_orders WHERE campaign_id = ? GROUP BY status, failure_code ORDER BY status, failure_code`,
    [campaignId],
  );
  return rows.map((r) => ({ status: r.status, failureCode: r.failure_code, orders: Number(r.orders), premium: Number(r.premium) }));
}
