import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import { PREMIUM_CATEGORIES, PREMIUM_STATUSES, type CampaignMode, type PremiumCategory } from '../domain/premium.ts';
import type { Fen } from '../domain/money.ts';

export interface CampaignRow {
  id: number;
  year: number;
  province: string;
  windowStart: string;
  windowEnd: string;
  mode: CampaignMode;
  premiums: Record<PremiumCategory, Fen>;
  /** Whether a premium schedule (SPEC 10) prices some residents; set when read back. */
  hasSchedule?: boolean;
}

export async function insertCampaign(pool: Queryable, c: Omit<CampaignRow, 'id' | 'hasSchedule'>): Promise<number> {
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO campaigns (year, province, window_start, window_end, mode, premium_adult, premium_minor, premium_student, premium_senior)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [c.year, c.province, c.windowStart, c.windowEnd, c.mode, c.premiums.adult, c.premiums.minor, c.premiums.student, c.premiums.senior],
  );
  return result.insertId;
}

export async function findCampaign(db: Queryable, id: number): Promise<CampaignRow | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT c.*, EXISTS (SELECT 1 FROM campaign_premium_rules r WHERE r.campaign_id = c.id) AS has_schedule FROM campaigns c WHERE c.id = ?',
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, year: r.year, province: r.province, windowStart: r.window_start, windowEnd: r.window_end, mode: r.mode,
    premiums: { adult: r.premium_adult, minor: r.premium_minor, student: r.premium_student, senior: r.premium_senior },
    hasSchedule: Number(r.has_schedule) === 1,
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
 * The premium of person `p` in SQL. Without a schedule: the category's amount. With one (SPEC 10):
 * among the rules of the person's category whose tier is empty or theirs and whose prefix starts
 * their admdvs, a rule naming the tier beats every rule without one, then the longest prefix wins;
 * no rule, the category's amount. A correlated lookup on the rules' primary key inside the planning
 * statement: still one statement per id range, never a query per order.
 */
function premiumSql(campaign: CampaignRow): { sql: string; params: unknown[] } {
  const { minor, student, senior, adult } = campaign.premiums;
  const byCategory = "CASE p.resident_category WHEN 'minor' THEN ? WHEN 'student' THEN ? WHEN 'senior' THEN ? ELSE ? END";
  if (!campaign.hasSchedule) return { sql: byCategory, params: [minor, student, senior, adult] };
  return {
    sql: `COALESCE(
            (SELECT r.premium FROM campaign_premium_rules r
              WHERE r.campaign_id = ? AND r.resident_category = p.resident_category
                AND r.subsidy_tier IN ('', COALESCE(p.subsidy_tier, ''))
                AND r.admdvs_prefix IN (LEFT(p.admdvs, 2), LEFT(p.admdvs, 4), p.admdvs)
              ORDER BY r.subsidy_tier = '', LENGTH(r.admdvs_prefix) DESC
              LIMIT 1),
            ${byCategory})`,
    params: [campaign.id, minor, student, senior, adult],
  };
}

/**
 * Creates a pending order for every beneficiary with a person id in (from, to] who qualifies at
 * `at` (`shouldPlanOrder` in domain/premium.ts, here in SQL), owes a premium above zero and has
 * none yet. The UNIQUE (campaign_id, person_id) key makes a concurrent or repeated planning create
 * nothing twice.
 */
export async function planOrderRange(pool: Pool, campaign: CampaignRow, at: string, from: number, to: number): Promise<number> {
  const premium = premiumSql(campaign);
  const [result] = await pool.query<ResultSetHeader>(
    `INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, subsidy_tier, premium, status, planned_at)
     SELECT ?, x.id, x.psn_no, x.resident_category, x.subsidy_tier, x.premium, 'pending', ?
       FROM (SELECT p.id, p.psn_no, p.resident_category, p.subsidy_tier, ${premium.sql} AS premium
               FROM persons p
              WHERE p.id > ? AND p.id <= ?
                AND p.insutype = '390' AND p.status IN (?) AND LEFT(p.admdvs, 2) = ?
                AND p.resident_category IN (?)
                AND EXISTS (SELECT 1 FROM bindings b WHERE b.beneficiary_id = p.id AND b.bound_at <= ? AND (b.revoked_at IS NULL OR b.revoked_at > ?))
                AND NOT EXISTS (SELECT 1 FROM premium_orders o WHERE o.campaign_id = ? AND o.person_id = p.id)) x
      WHERE x.premium > 0
     ON DUPLICATE KEY UPDATE premium_orders.id = premium_orders.id`,
    [campaign.id, at, ...premium.params, from, to, PREMIUM_STATUSES, campaign.province, PREMIUM_CATEGORIES, at, at, campaign.id],
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
  // Paid through another channel (SPEC 10): never charged, whatever a retry selects.
  const where = ['o.campaign_id = ?', 'o.status IN (?)', "NOT (o.failure_code <=> 'ALREADY_PAID')"];
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

export interface CategoryTierCount {
  category: string;
  subsidyTier: string | null;
  orders: number;
  /** Premiums of every order planned. */
  premium: Fen;
  paid: number;
  collected: Fen;
  refunded: number;
  refundedAmount: Fen;
}

/** Orders and money per resident category and subsidy tier (campaign status). */
export async function countByCategoryAndTier(pool: Pool, campaignId: number): Promise<CategoryTierCount[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT resident_category, subsidy_tier, COUNT(*) AS orders, COALESCE(SUM(premium), 0) AS premium,
            SUM(status = 'paid') AS paid, COALESCE(SUM(CASE WHEN status = 'paid' THEN premium END), 0) AS collected,
            SUM(status = 'refunded') AS refunded, COALESCE(SUM(CASE WHEN status = 'refunded' THEN premium END), 0) AS refunded_amount
       FROM premium_orders WHERE campaign_id = ?
      GROUP BY resident_category, subsidy_tier ORDER BY resident_category, subsidy_tier`,
    [campaignId],
  );
  return rows.map((r) => ({
    category: r.resident_category, subsidyTier: r.subsidy_tier, orders: Number(r.orders), premium: Number(r.premium),
    paid: Number(r.paid), collected: Number(r.collected), refunded: Number(r.refunded), refundedAmount: Number(r.refunded_amount),
  }));
}
