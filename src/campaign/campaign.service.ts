import type { Job } from 'bullmq';
import { WaitingChildrenError } from 'bullmq';
import type { App } from '../app.ts';
import { env } from '../config/env.ts';
import { inTransaction } from '../db/transaction.ts';
import { chunkByCluster } from '../domain/clusters.ts';
import { chargeCluster } from '../domain/premium.ts';
import { shanghaiNow } from '../domain/time.ts';
import { logger } from '../logger.ts';
import type { JobPayload } from '../queue/catalog.ts';
import { countOrders, findCampaign, finishRun, insertRun, loadOrderGraph, planOrders, type OrderSelection } from './campaign.repository.ts';
import { lockChunk, writeChunk } from './payment.repository.ts';

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
}

/** Records the request and enqueues its job; the job id is built from the run row, so it is unique. */
export async function requestRun(app: App, request: RunRequest): Promise<{ runId: number; jobId: string }> {
  const campaign = await findCampaign(app.db.pool, request.campaignId);
  if (!campaign) throw new CampaignNotFoundError(request.campaignId);
  const params = request.kind === 'retry' ? { orderId: request.orderId, code: request.code } : undefined;
  const runId = await insertRun(app.db.pool, { campaignId: campaign.id, kind: request.kind, params, requestedBy: request.requestedBy });
  const jobId = `campaign-run-${runId}`;
  await app.queues.add(
    'campaign-run',
    { runId, campaignId: campaign.id, kind: request.kind, orderId: request.orderId, code: request.code },
    { jobId },
  );
  return { runId, jobId };
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

/**
 * The parent job of a run (BullMQ step-job pattern): first plans new orders (runs only), groups the
 * selected orders into family-cluster chunks and adds one pay-orders child per chunk; then waits
 * for the children and records the run's summary. Child job ids derive from the run, so a restarted
 * fan-out adds nothing twice.
 */
export async function handleCampaignRun(app: App, payload: JobPayload<'campaign-run'>, job: Job, token: string | undefined) {
  const campaign = await findCampaign(app.db.pool, payload.campaignId);
  if (!campaign) throw new CampaignNotFoundError(payload.campaignId);

  if (payload.step === 'fan-out') {
    const planned = payload.kind === 'run' ? await planOrders(app.db.pool, campaign, shanghaiNow()) : 0;
    const { orders, edges } = await loadOrderGraph(app.db.pool, selectionOf(payload));
    const chunks = chunkByCluster(orders, edges, env().CHUNK_SIZE);
    const payments = app.queues.get('payments');
    for (let i = 0; i < chunks.length; i += 500) {
      await payments.addBulk(chunks.slice(i, i + 500).map((orderIds, j) => ({
        name: 'pay-orders',
        data: { runId: payload.runId, campaignId: campaign.id, retry: payload.kind === 'retry', orderIds },
        opts: {
          jobId: `pay-${payload.runId}-${i + j}`,
          parent: { id: job.id!, queue: job.queueQualifiedName },
          failParentOnFailure: true,
        },
      })));
    }
    logger.info({ jobId: job.id, campaignId: campaign.id, runId: payload.runId, planned, orders: orders.length, chunks: chunks.length }, 'campaign run fanned out');
    await job.updateData({ ...payload, step: 'wait' });
  }

  if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
  const summary = await countOrders(app.db.pool, campaign.id);
  await finishRun(app.db.pool, payload.runId, summary);
  return { runId: payload.runId, summary };
}

/**
 * Charges one chunk in one transaction: every order of the chunk, in ascending beneficiary psn_no,
 * against the locked balances, then ledger debits, balances and statuses written together.
 */
export async function payOrders(app: App, payload: JobPayload<'pay-orders'>) {
  const campaign = await findCampaign(app.db.pool, payload.campaignId);
  if (!campaign) throw new CampaignNotFoundError(payload.campaignId);
  const statuses = payload.retry ? (['pending', 'failed', 'skipped'] as const) : (['pending'] as const);
  return inTransaction(app.db.pool, async (conn) => {
    const { orders, balances } = await lockChunk(conn, campaign.id, payload.orderIds, statuses);
    if (orders.length === 0) return { charged: 0 };
    const at = shanghaiNow();
    const outcomes = chargeCluster(orders, balances, campaign.mode, campaign.province, at);
    await writeChunk(conn, outcomes, at);
    return { charged: outcomes.length, paid: outcomes.filter((o) => o.status === 'paid').length };
  });
}
