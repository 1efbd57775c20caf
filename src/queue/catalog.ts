import { z } from 'zod';

/**
 * Every job the product runs: its queue, its payload schema and its retry policy. Payloads hold ids
 * only, never personal data (Redis is not the place for names or ID numbers).
 */
export const QUEUE_NAMES = ['campaigns', 'payments', 'schedules', 'recon'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const id = z.number().int().positive();
const businessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** A cron slot in Asia/Shanghai wall-clock time. */
const tick = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

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
      settled: z.array(z.object({ file: z.string(), status: z.enum(['skipped', 'rejected']), reason: z.string() })).default([]),
    }),
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
  },
  /** One tick of a schedule (recorded in schedule_runs): starts the tick's work as children and waits for them. */
  'schedule-tick': {
    queue: 'schedules',
    payload: z.object({ scheduleRunId: id, schedule: z.enum(['recon', 'campaign']), tick }),
  },
  /** The daily run of one open campaign: `campaign run`, then a retry of INSUFFICIENT_BALANCE orders, one after the other. */
  'campaign-daily': {
    queue: 'schedules',
    payload: z.object({ scheduleRunId: id, campaignId: id, tick }),
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType }>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<K extends JobName> = z.infer<(typeof jobCatalog)[K]['payload']>;
export type JobInput<K extends JobName> = z.input<(typeof jobCatalog)[K]['payload']>;
