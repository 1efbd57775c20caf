import type { Worker } from 'bullmq';
import type { App } from '../src/app.ts';
import { isDbConnectionFault } from '../src/db/transient.ts';
import { logger } from '../src/logger.ts';

/** ioredis and BullMQ report a Redis that is gone, restarting, loading or demoted to a replica with these. */
const REDIS_FAULT = /Connection is closed|ECONNRESET|ECONNREFUSED|READONLY|LOADING|ETIMEDOUT|MASTERDOWN|Stream isn't writeable|All sentinels are unreachable/;

export function isRedisFault(error: unknown): boolean {
  return REDIS_FAULT.test((error as Error | undefined)?.message ?? '');
}

/** A fault of the infrastructure, not of the job: it must never spend one of the job's attempts. */
export function isInfrastructureFault(error: unknown): boolean {
  return isDbConnectionFault(error) || isRedisFault(error);
}

export interface OutageSettings {
  /** First wait between probes; doubles after each failed probe. */
  probeMs: number;
  /** Longest wait between probes: an outage of any length is waited out at this pace. */
  probeMaxMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A probe that hangs (a half-open socket) counts as failed. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Pause and probe: when a job meets an infrastructure fault, this process's workers stop taking jobs
 * (the job goes back to the queue without spending an attempt, for a healthy worker elsewhere) and
 * the database and Redis are probed with capped backoff until both answer; then the workers resume.
 */
export class OutageGuard {
  private readonly workers: Worker[] = [];
  private probing: Promise<void> | undefined;
  private delayMs: number;
  private stopped = false;

  constructor(private readonly app: App, private readonly settings: OutageSettings) {
    this.delayMs = settings.probeMs;
  }

  watch(worker: Worker): void {
    this.workers.push(worker);
  }

  /** How long a job met by the fault waits before any worker may take it again. */
  retryDelayMs(): number {
    return this.delayMs;
  }

  get paused(): boolean {
    return this.probing !== undefined;
  }

  report(error: unknown): void {
    if (this.probing || this.stopped) return;
    const what = isDbConnectionFault(error) ? 'database' : 'Redis';
    logger.warn({ err: (error as Error).message, what }, `${what} unreachable: this worker takes no jobs until it answers`);
    for (const worker of this.workers) void worker.pause(true).catch(() => undefined);
    this.probing = this.probeUntilHealthy().finally(() => {
      this.probing = undefined;
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async probeUntilHealthy(): Promise<void> {
    for (let probe = 1; !this.stopped; probe++) {
      await sleep(this.delayMs);
      if (this.stopped) return;
      try {
        await withTimeout(this.app.db.pool.query('SELECT 1 FROM campaign_runs LIMIT 1'), 5000);
        await withTimeout(this.app.redis.ping(), 5000);
      } catch (error) {
        this.delayMs = Math.min(this.delayMs * 2, this.settings.probeMaxMs);
        logger.warn({ probe, nextProbeMs: this.delayMs, err: (error as Error).message }, 'still unreachable');
        continue;
      }
      logger.info({ probes: probe }, 'database and Redis answer again: worker resumed');
      this.delayMs = this.settings.probeMs;
      for (const worker of this.workers) worker.resume();
      return;
    }
  }
}
