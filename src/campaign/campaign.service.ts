import type { App } from '../app.ts';
import { env } from '../config/env.ts';
import { inTransaction } from '../db/transaction.ts';
import { chunkByCluster, ClusterChunker } from '../domain/clusters.ts';
import { ALREADY_PAID, chargeCluster, type PremiumFailureCode } from '../domain/premium.ts';
import { shanghaiNow } from '../domain/time.ts';
import { logger } from '../logger.ts';
import { finishRunActions, recordAction, type Actor, type OperatorAction } from '../audit/audit.repository.ts';
import { jobCatalog, type JobPayload } from '../queue/catalog.ts';
import type { ParentRef } from '../queue/queues.ts';
import {
  allBindings, countOrders, findCampaign, finishRun, insertRun, loadOrderGraph, maxPersonId, PLAN_BATCH, pendingOrdersInRange, planOrderRange,
  type CampaignRow, type OrderSelection,
} from './campaign.repository.ts';
import { paymentWrittenNotCommitted } from './fault-injection.ts';
import { OrderNotFoundError } from './order-not-found.error.ts';
import { findOrder } from './orders.queries.ts';
import { lockChunk, writeChunk } from './payment.repository.ts';
import type { RunRecord } from './runs.queries.ts';

export class CampaignNotFoundError extends Error {
  constructor(id: number) {
    super(`campaign ${id} does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}

export interface RunRequest {
  campaignId: number;
  kind: 'run' | 'retry';
  orderId?: number;
  code?: string;
  requestedBy: string;
  /** Runs started by the schedule say which tick: a restarted scheduled step finds its run instead of starting another. */
  origin?: string;
}

export interface RunRequestOptions {
  /** Makes the run a child of a waiting step job; a failed run fails that job too. */
  parent?: ParentRef;
  /** An operator's request: recorded in the audit trail in the same transaction as the run. */
  actor?: Actor;
  action?: OperatorAction;
}

/**
 * Enqueues the job of a run row. The id derives from the run, so enqueueing a run that still has a
 * job adds nothing, and recovery can enqueue it again once Redis has lost it.
 */
export async function enqueueRun(app: App, run: Pick<RunRecord, 'id' | 'campaignId' | 'kind' | 'orderId' | 'code'>, parent?: ParentRef): Promise<string> {
  const jobId = jobCatalog['campaign-run'].jobId(run.id);
  await app.queues.add(
    'campaign-run',
    { runId: run.id, campaignId: run.campaignId, kind: run.kind, orderId: run.orderId, code: run.code },
    parent ? { jobId, parent, failParentOnFailure: true } : { jobId },
  );
  return jobId;
}

/** Records the request (and who asked) and enqueues its job; the job id is built from the run row, so it is unique. */
export async function requestRun(app: App, request: RunRequest, options: RunRequestOptions = {}): Promise<{ runId: number; jobId: string }> {
  const campaign = await findCampaign(app.db.pool, request.campaignId);
  if (!campaign) throw new CampaignNotFoundError(request.campaignId);
  const params = request.kind === 'retry'
    ? { orderId: request.orderId, code: request.code, origin: request.origin }
    : request.origin ? { origin: request.origin } : undefined;
  const runId = await inTransaction(app.db.pool, async (conn) => {
    const id = await insertRun(conn, { campaignId: campaign.id, kind: request.kind, params, requestedBy: request.requestedBy });
    if (options.actor) {
      const action = options.action ?? (request.kind === 'run' ? 'campaign.run' : 'retry');
      await recordAction(conn, options.actor, action, { campaignId: campaign.id, orderId: request.orderId, code: request.code }, id);
    }
    return id;
  });
  const jobId = await enqueueRun(app, { id: runId, campaignId: campaign.id, kind: request.kind, orderId: request.orderId, code: request.code }, options.parent);
  return { runId, jobId };
}

export const RETRY_CODES = ['INSUFFICIENT_BALANCE', 'WRONG_PAYEE', 'BENEFICIARY_INELIGIBLE'] as const satisfies readonly PremiumFailureCode[];

export type RetryTarget = { orderId: number } | { campaignId: number; code?: (typeof RETRY_CODES)[number] };

export type RetryOutcome =
  | { retried: true; campaignId: number; runId: number; jobId: string }
  | { retried: false; orderId: number; reason: 'already paid' | 'refunded' | 'paid through another channel' };

/**
 * An operator's retry: a new run row that charges failed and skipped orders afresh (never paid
 * ones). It is a new run with its own job, so it never spends the automatic retry budget of a
 * failed job, and it works whatever Redis still remembers.
 */
export async function requestRetry(app: App, target: RetryTarget, actor: Actor): Promise<RetryOutcome> {
  if ('orderId' in target) {
    const order = await findOrder(app.db.pool, target.orderId);
    if (!order) throw new OrderNotFoundError(target.orderId);
    // Paying twice is the one thing a retry must never do; a refunded order stays refunded.
    if (order.status === 'paid') return { retried: false, orderId: order.id, reason: 'already paid' };
    if (order.status === 'refunded') return { retried: false, orderId: order.id, reason: 'refunded' };
    if (order.failureCode === ALREADY_PAID) return { retried: false, orderId: order.id, reason: 'paid through another channel' };
    const { runId, jobId } = await requestRun(app, { campaignId: order.campaignId, kind: 'retry', orderId: order.id, requestedBy: actor.operator }, { actor });
    return { retried: true, campaignId: order.campaignId, runId, jobId };
  }
  const { runId, jobId } = await requestRun(app, { campaignId: target.campaignId, kind: 'retry', code: target.code, requestedBy: actor.operator }, { actor });
  return { retried: true, campaignId: target.campaignId, runId, jobId };
}

/** Which orders a run may charge: plain runs only pending ones; retries also failed and skipped, never paid. */
function selectionOf(payload: JobPayload<'campaign-run'>): OrderSelection {
  if (payload.kind === 'run') return { campaignId: payload.campaignId, statuses: ['pending'] };
  return {
    campaignId: payload.campaignId,
    statuses: payload.code ? ['failed', 'skipped'] : ['pending', 'failed', 'skipped'],
    failureCode: payload.code,
    orderId: payload.orderId,
  };
}

/** Hands chunks of order ids (whole family clusters) to whoever charges them. */
export type AddChunks = (chunks: number[][]) => Promise<void>;

/**
 * A plain run plans the province a person-id range at a time and hands out each family cluster as
 * soon as its last beneficiary's range is planned, so payment runs alongside planning. The clusters
 * come from every binding, read before the first range; pending orders left by earlier runs are
 * picked up with their range.
 */
async function planAndFanOut(app: App, campaign: CampaignRow, addChunks: AddChunks): Promise<{ planned: number; orders: number }> {
  const chunker = new ClusterChunker(env().CHUNK_SIZE);
  const maxId = await maxPersonId(app.db.pool);
  for await (const page of allBindings(app.db.pool, maxId)) {
    for (const b of page) chunker.addBinding(b.beneficiary_id, b.payer_id);
  }
  const at = shanghaiNow();
  let planned = 0;
  let orders = 0;
  for (let from = 0; from < maxId; from += PLAN_BATCH) {
    const to = from + PLAN_BATCH;
    planned += await planOrderRange(app.db.pool, campaign, at, from, to);
    const pending = await pendingOrdersInRange(app.db.pool, campaign.id, from, to);
    for (const o of pending) chunker.addOrder(o.id, o.person_id);
    orders += pending.length;
    await addChunks(chunker.takeComplete(to));
  }
  await addChunks(chunker.takeAll());
  return { planned, orders };
}

/** A retry charges the orders it selects, grouped into clusters by their bindings. */
async function fanOutSelection(app: App, selection: OrderSelection, addChunks: AddChunks): Promise<{ planned: number; orders: number }> {
  const { orders, edges } = await loadOrderGraph(app.db.pool, selection);
  await addChunks(chunkByCluster(orders, edges, env().CHUNK_SIZE));
  return { planned: 0, orders: orders.length };
}

export interface FanOutSummary {
  planned: number;
  orders: number;
  chunks: number;
}

/**
 * The first step of a run: plans new orders (runs only) and groups the selected orders into
 * family-cluster chunks, handed to `addChunks` as they are complete (payment starts while later
 * chunks are still being planned).
 */
export async function fanOutRun(app: App, payload: JobPayload<'campaign-run'>, addChunks: AddChunks): Promise<FanOutSummary> {
  const campaign = await findCampaign(app.db.pool, payload.campaignId);
  if (!campaign) throw new CampaignNotFoundError(payload.campaignId);
  let chunks = 0;
  const counted: AddChunks = async (cut) => {
    chunks += cut.length;
    await addChunks(cut);
  };
  const { planned, orders } = payload.kind === 'run'
    ? await planAndFanOut(app, campaign, counted)
    : await fanOutSelection(app, selectionOf(payload), counted);
  logger.info({ campaignId: campaign.id, runId: payload.runId, planned, orders, chunks }, 'campaign run fanned out');
  return { planned, orders, chunks };
}

/**
 * The last step of a run, once every chunk is charged: records the run's summary and, for the
 * operator who asked, how many orders it charged and what changed (the summary is the whole campaign).
 */
export async function finishCampaignRun(app: App, payload: JobPayload<'campaign-run'>, chunks: readonly (ChunkResult | null | undefined)[]) {
  const charged = chunks.reduce((n, v) => n + (v?.charged ?? 0), 0);
  const outcomes = { paid: chunks.reduce((n, v) => n + (v?.paid ?? 0), 0), failed: {} as Record<string, number> };
  for (const chunk of chunks) {
    for (const [code, n] of Object.entries(chunk?.failed ?? {})) outcomes.failed[code] = (outcomes.failed[code] ?? 0) + n;
  }
  const summary = await countOrders(app.db.pool, payload.campaignId);
  await finishRunActions(app.db.pool, payload.runId, charged);
  await finishRun(app.db.pool, payload.runId, summary);
  logger.info({ campaignId: payload.campaignId, runId: payload.runId, charged }, 'campaign run finished');
  return { runId: payload.runId, charged, outcomes, summary };
}

/**
 * Charges one chunk in one transaction: every order of the chunk, in ascending beneficiary psn_no,
 * against the locked balances, then ledger debits, balances and statuses written together.
 */
/** A chunk's outcome: orders charged, of them paid, and the rest (failed or skipped) by code. */
export interface ChunkResult {
  charged: number;
  paid?: number;
  failed?: Record<string, number>;
}

export async function payOrders(app: App, payload: JobPayload<'pay-orders'>): Promise<ChunkResult> {
  const campaign = await findCampaign(app.db.pool, payload.campaignId);
  if (!campaign) throw new CampaignNotFoundError(payload.campaignId);
  const statuses = payload.retry ? (['pending', 'failed', 'skipped'] as const) : (['pending'] as const);
  return inTransaction(app.db.pool, async (conn) => {
    const { orders, balances } = await lockChunk(conn, campaign.id, payload.orderIds, statuses);
    if (orders.length === 0) return { charged: 0 };
    const at = shanghaiNow();
    const outcomes = chargeCluster(orders, balances, campaign.mode, campaign.province, at);
    await writeChunk(conn, outcomes, at, new Map(orders.map((o) => [o.orderId, o.beneficiary.id])));
    await paymentWrittenNotCommitted({ runId: payload.runId, orders: outcomes.length });
    const failed: Record<string, number> = {};
    for (const o of outcomes) if (o.status !== 'paid') failed[o.code] = (failed[o.code] ?? 0) + 1;
    return { charged: outcomes.length, paid: outcomes.filter((o) => o.status === 'paid').length, failed };
  });
}
