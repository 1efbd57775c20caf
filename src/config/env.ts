import { z } from 'zod';

/**
 * Every setting the product reads from the environment, parsed once. Defaults work on a developer
 * machine with a local MySQL/MariaDB and Redis.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const envSchema = z.object({
  /** MySQL 8 or MariaDB 10.11; the database is created by `db migrate` when missing. */
  DATABASE_URL: z.string().default('mysql://root@127.0.0.1:3306/premium_worker'),
  /** Redis for BullMQ. Must run with maxmemory-policy noeviction or queued jobs can vanish. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /**
   * Redis with Sentinel: comma-separated host:port of the Sentinels; the primary named
   * REDIS_MASTER_NAME is asked of them and followed through failovers. REDIS_URL then only gives
   * the password and database number.
   */
  REDIS_SENTINELS: z.string().regex(/^\s*[^,\s]+:\d+\s*(,\s*[^,\s]+:\d+\s*)*$/, 'a comma-separated list of host:port').optional(),
  REDIS_MASTER_NAME: z.string().min(1).default('mymaster'),
  /** BullMQ key prefix, so several environments can share one Redis. Wrap in {} for Redis Cluster. */
  QUEUE_PREFIX: z.string().min(1).default('premium-worker'),
  /** Nightly reconciliation of the previous business day (Asia/Shanghai). */
  RECON_CRON: z.string().default('30 2 * * *'),
  /** Daily campaign run + INSUFFICIENT_BALANCE retry during open windows (Asia/Shanghai). */
  CAMPAIGN_CRON: z.string().default('30 3 * * *'),
  /** Where institutions drop their daily files; archive/ and rejected/ live inside it. */
  INBOX_DIR: z.string().default('data/inbox'),
  /** Where reconciliation reports are written. */
  OUTBOX_DIR: z.string().default('data/outbox'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** json (for a log collector) or pretty (one readable line per entry). Unset: json for worker, scheduler, start and admin; pretty for other commands on a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Chunk jobs in flight per worker process; the payment path is CPU-bound in the database, so 2 is right for 2 cores. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Target number of orders per payment job; family clusters are never split across jobs. */
  CHUNK_SIZE: z.coerce.number().int().min(1).max(20000).default(500),
  /** Attempts for a job failing with a transient fault (lost connection, deadlock) before it is kept as failed. */
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** First backoff delay; doubles on each attempt. */
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(1000),
  /**
   * A worker that meets an unreachable database or Redis puts the job back (no attempt spent), takes
   * no jobs and probes them, first after this long, then doubling up to OUTAGE_PROBE_MAX_MS: an outage
   * of any length is waited out.
   */
  OUTAGE_PROBE_MS: z.coerce.number().int().min(10).default(1000),
  OUTAGE_PROBE_MAX_MS: z.coerce.number().int().min(10).default(30000),
  /** A job whose worker stops renewing its lock this long is handed to another worker. */
  LOCK_DURATION_MS: z.coerce.number().int().min(500).default(30000),
  /** How often workers look for stalled jobs (those of killed workers). */
  STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30000),
  /** On SIGTERM/SIGINT, how long running jobs may take to finish before the process exits anyway (their jobs are then taken over as stalled). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(25000),
  /** How often worker and scheduler processes re-enqueue unfinished runs whose jobs vanished from Redis (and the scheduler catches up missed ticks). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(200).default(60000),
  /** A scheduler that was down catches up missed ticks at most this far back (72 h covers a long weekend). */
  CATCHUP_HOURS: z.coerce.number().int().min(0).max(24 * 31).default(72),
  /**
   * Bootstrap operator token of the admin server (console sign-in and Bearer), beside the tokens of
   * `admin token add`; trimmed, and refused when shorter than 16 characters, holding whitespace or
   * of low entropy. `admin` needs it or at least one operator token. Keep it out of shell history.
   */
  ADMIN_TOKEN: z.string().optional(),
  /** Who actions taken with ADMIN_TOKEN are recorded as in the audit trail. */
  ADMIN_TOKEN_NAME: z.string().trim().min(1).max(64).default('admin'),
  /** How long a console session lasts after signing in. */
  ADMIN_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(8),
  /**
   * Settlements of one institution and day held in memory while its file is reconciled (about 70
   * bytes each: a million keep a reconciling process under 300 MB). A day with more is looked up in
   * the ledger in batches of rows instead: the same outcomes in bounded memory, several times slower.
   */
  RECON_MAX_DAY_SETTLEMENTS: z.coerce.number().int().min(0).default(1_000_000),
  /** Fault injection for reliability tests only; 0 disables. Holds the first payment transaction of the process open this long after writing (to kill its connection). */
  FAULT_PAYMENT_HOLD_MS: z.coerce.number().int().min(0).default(0),
  /** Fault injection for reliability tests only; 0 disables. Blocks the event loop this long inside the first payment transaction, so the job's lock expires as in a stalled worker. */
  FAULT_PAYMENT_FREEZE_MS: z.coerce.number().int().min(0).default(0),
  /** Fault injection for reliability tests only; 0 disables. Holds the first refund transaction of the process open this long after writing (to kill the process). */
  FAULT_REFUND_HOLD_MS: z.coerce.number().int().min(0).default(0),
  /** Fault injection for reliability tests only: a hold or freeze ends early once this file exists, so a test ends it on its own event rather than on a clock. */
  FAULT_PAYMENT_RELEASE_FILE: z.string().default(''),
  /** Fault injection for reliability tests only; empty disables. Appended to the first reconciliation file of the process once it is hashed, as by an institution still writing it. */
  FAULT_RECON_APPEND_AFTER_HASH: z.string().default(''),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Reads the environment once; a bad value is a startup error naming the variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  cached = parsed.data;
  return cached;
}

/** For tests that change variables between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
