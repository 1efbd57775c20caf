import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';

/** Who asked for an action, and through which door. */
export interface Actor {
  operator: string;
  source: 'cli' | 'api' | 'console';
}

export type OperatorAction = 'campaign.create' | 'campaign.run' | 'campaign.resume' | 'retry' | 'recon.run' | 'refund' | 'handoff.export' | 'handoff.receipts';

/** Appends one line to the audit trail; `params` must hold ids and codes only, never personal data. */
export async function recordAction(
  db: Queryable,
  actor: Actor,
  action: OperatorAction,
  params: Record<string, unknown>,
  campaignRunId?: number,
): Promise<number> {
  const [result] = await db.query<ResultSetHeader>(
    'INSERT INTO operator_actions (operator, source, action, params, campaign_run_id) VALUES (?, ?, ?, ?, ?)',
    [actor.operator.slice(0, 64), actor.source, action, JSON.stringify(params), campaignRunId ?? null],
  );
  return result.insertId;
}

/** Fills in the outcome of the actions that started this run, once it finishes. */
export async function finishRunActions(db: Queryable, campaignRunId: number, ordersTouched: number): Promise<void> {
  await db.query(
    'UPDATE operator_actions SET orders_touched = ?, finished_at = CURRENT_TIMESTAMP WHERE campaign_run_id = ? AND finished_at IS NULL',
    [ordersTouched, campaignRunId],
  );
}

/** Marks an action that ran to its end in the command itself (no run to wait for). */
export async function finishAction(db: Queryable, actionId: number, ordersTouched: number | null = null): Promise<void> {
  await db.query('UPDATE operator_actions SET orders_touched = ?, finished_at = CURRENT_TIMESTAMP WHERE id = ?', [ordersTouched, actionId]);
}

export interface ActionRow {
  id: number;
  operator: string;
  source: string;
  action: string;
  params: unknown;
  campaignRunId: number | null;
  ordersTouched: number | null;
  createdAt: string;
  finishedAt: string | null;
}

export async function listActions(pool: Pool, limit = 50): Promise<ActionRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM operator_actions ORDER BY id DESC LIMIT ?', [limit]);
  return rows.map((r) => ({
    id: r.id, operator: r.operator, source: r.source, action: r.action, params: JSON.parse(r.params as string),
    campaignRunId: r.campaign_run_id, ordersTouched: r.orders_touched, createdAt: r.created_at, finishedAt: r.finished_at,
  }));
}
