import { createHash, randomBytes } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { env } from '../config/env.ts';
import { compactDate } from '../domain/time.ts';

/**
 * Every job the product runs: its queue, its payload schema, its id builder and its retry policy:
 * the one home of job identity. Payloads hold ids only, never personal data (Redis is not the place
 * for names or ID numbers). Ids are built from the data, so adding the same work twice adds one job
 * (BullMQ keeps a job id while the job is kept).
 */
export const QUEUE_NAMES = ['campaigns', 'payments', 'schedules', 'recon'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const id = z.number().int().positive();
const businessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** A cron slot in Asia/Shanghai wall-clock time. */
const tick = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

/**
 * Transient faults retry with exponential backoff; business outcomes never throw, so they are never
 * retried. Failed jobs are kept for operators; completed ones long enough that a deterministic job
 * id still blocks a duplicate.
 */
export function standardRetry(): JobsOptions {
  return {
    attempts: env().JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: env().JOB_BACKOFF_MS },
    removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

/** One job per schedule tick: a second enqueue of the same tick is blocked by BullMQ. */
const tickJobId = (schedule: 'recon' | 'campaign', tick: string) => `tick-${schedule}-${compactDate(tick.slice(0, 10))}${tick.slice(11).replaceAll(':', '')}`;

export const jobCatalog = {
  /** Plans (for runs) or selects (for retries) the orders of a campaign run and fans them out as payment chunks. */
  'campaign-run': {
    queue: 'campaigns',
    payload: z.object({
      runId: id,
      campaignId: id,
      kind: z.enum(['run', 'retry']),
      /** retry: one order only. */
      orderId: id.optional(),
      /** retry: only failed/skipped orders with this failure code. */
      code: z.string().optional(),
      /** Internal progress of the job across its restarts (BullMQ step-job pattern). */
      step: z.enum(['fan-out', 'wait']).default('fan-out'),
    }),
    /** From the run row, so enqueueing a run that still has a job adds nothing, and recovery can enqueue it again once Redis lost it. */
    jobId: (runId: number) => `campaign-run-${runId}`,
    retry: standardRetry,
  },
  /** Charges one chunk of whole family clusters, in ascending beneficiary psn_no, in one transaction. */
  'pay-orders': {
    queue: 'payments',
    payload: z.object({
      runId: id,
      campaignId: id,
      /** retry runs may charge failed and skipped orders again; plain runs only pending ones. */
      retry: z.boolean(),
      orderIds: z.array(id).min(1),
    }),
    /**
     * From the run and the chunk's own orders. A fan-out restarted after a crash sees fewer pending
     * orders and so cuts different chunks: with positional ids those would collide with the old
     * chunks' ids and be dropped as duplicates, leaving orders unpaid. With content ids an identical
     * chunk is still blocked, a different one runs, and an order in both is charged once because
     * charging is guarded by its status.
     */
    jobId: (runId: number, orderIds: readonly number[]) => `pay-${runId}-${createHash('sha1').update(orderIds.join(',')).digest('hex').slice(0, 16)}`,
    retry: standardRetry,
  },
  /** Reconciles one business day: fans out a reconcile-file child per inbox file, then recomputes MISSING_IN_FILE and writes the reports. */
  'reconcile-day': {
    queue: 'recon',
    payload: z.object({
      businessDate,
      /** Absolute paths: the worker may run elsewhere than the command that asked. */
      inbox: z.string().min(1),
      /**
       * Only when the operator named one (`--outbox`); otherwise the worker's OUTBOX_DIR when the
       * reports are written, so correcting the setting also helps a day that is retried or taken over.
       */
      outbox: z.string().min(1).optional(),
      /** Internal progress of the job across its restarts (BullMQ step-job pattern). */
      step: z.enum(['fan-out', 'wait']).default('fan-out'),
      /** Files the fan-out dealt with itself (badly named, or content already reconciled), for the summary. */
      settled: z.array(z.object({ file: z.string(), status: z.enum(['skipped', 'rejected', 'ignored']), reason: z.string() })).default([]),
    }),
    /** A schedule tick's run has an id of the tick's own (asking twice enqueues once); any other request a fresh one. */
    jobId: ({ businessDate, scheduleRunId }: { businessDate: string; scheduleRunId?: number }) =>
      scheduleRunId !== undefined ? `recon-tick-${scheduleRunId}` : `recon-day-${compactDate(businessDate)}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    /** Runs of the same day never overlap: while one is under way, another request joins it. */
    deduplicationId: (businessDate: string) => `recon-day-${compactDate(businessDate)}`,
    retry: standardRetry,
  },
  /** Reconciles one institution's file of one day against the ledger and stores its outcomes. */
  'reconcile-file': {
    queue: 'recon',
    payload: z.object({
      businessDate,
      inbox: z.string().min(1),
      fileName: z.string().min(1),
      /** Content hash when the day was scanned: part of the job id, so the same content is one job. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    /** From the day job and the file's content, so a fan-out restarted after a crash adds nothing twice. */
    jobId: (file: { businessDate: string; fixmedinsCode: string; sha256: string }, dayJobId: string) =>
      `recon-file-${compactDate(file.businessDate)}-${file.fixmedinsCode}-${file.sha256}-${dayJobId}`,
    retry: standardRetry,
  },
  /** One tick of a schedule (recorded in schedule_runs): starts the tick's work as children and waits for them. */
  'schedule-tick': {
    queue: 'schedules',
    payload: z.object({ scheduleRunId: id, schedule: z.enum(['recon', 'campaign']), tick }),
    jobId: tickJobId,
    retry: standardRetry,
  },
  /** The daily run of one open campaign: `campaign run`, then a retry of INSUFFICIENT_BALANCE orders, one after the other. */
  'campaign-daily': {
    queue: 'schedules',
    payload: z.object({ scheduleRunId: id, campaignId: id, tick }),
    jobId: (scheduleRunId: number, campaignId: number) => `daily-${scheduleRunId}-${campaignId}`,
    retry: standardRetry,
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType; jobId: (...args: never[]) => string; deduplicationId?: (businessDate: string) => string; retry: () => JobsOptions }>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<K extends JobName> = z.infer<(typeof jobCatalog)[K]['payload']>;
export type JobInput<K extends JobName> = z.input<(typeof jobCatalog)[K]['payload']>;
