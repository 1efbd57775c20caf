import type { Pool, RowDataPacket } from 'mysql2/promise';

/** What a campaign_runs row asked for: enough to enqueue its job again. */
export interface RunRecord {
  id: number;
  campaignId: number;
  kind: 'run' | 'retry';
  orderId?: number;
  code?: string;
  /** Set on runs the schedule started: `schedule-{scheduleRunId}`; recovery leaves those to their tick. */
  origin?: string;
  finished: boolean;
}

function toRecord(r: RowDataPacket): RunRecord {
  const params = r.params ? (JSON.parse(r.params as string) as { orderId?: number; code?: string; origin?: string }) : {};
  return {
    id: r.id, campaignId: r.campaign_id, kind: r.kind, orderId: params.orderId ?? undefined, code: params.code ?? undefined,
    origin: params.origin ?? undefined, finished: r.finished_at !== null,
  };
}

export async function findRun(pool: Pool, runId: number): Promise<RunRecord | null> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, campaign_id, kind, params, finished_at FROM campaign_runs WHERE id = ?', [runId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** The run a scheduled step already started, so a restarted step starts nothing twice. */
export async function findRunByOrigin(pool: Pool, campaignId: number, kind: 'run' | 'retry', origin: string): Promise<RunRecord | null> {
  // campaign_runs holds a few rows per campaign and day: no index needed for this lookup.
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, campaign_id, kind, params, finished_at FROM campaign_runs
      WHERE campaign_id = ? AND kind = ? AND JSON_VALUE(params, '$.origin') = ? ORDER BY id LIMIT 1`,
    [campaignId, kind, origin],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Runs not finished yet, oldest first; `minAgeSeconds` leaves alone rows whose job is being enqueued right now. */
export async function listUnfinishedRuns(pool: Pool, filter: { campaignId?: number; minAgeSeconds?: number } = {}): Promise<RunRecord[]> {
  const where = ['finished_at IS NULL', 'created_at <= NOW() - INTERVAL ? SECOND'];
  const params: unknown[] = [filter.minAgeSeconds ?? 0];
  if (filter.campaignId !== undefined) {
    where.push('campaign_id = ?');
    params.push(filter.campaignId);
  }
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT id, campaign_id, kind, params, finished_at FROM campaign_runs WHERE ${where.join(' AND ')} ORDER BY id`, params);
  return rows.map(toRecord);
}

export async function countPendingOrders(pool: Pool, campaignId: number): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM premium_orders WHERE campaign_id = ? AND status = 'pending'", [campaignId]);
  return Number(row!.n);
}
