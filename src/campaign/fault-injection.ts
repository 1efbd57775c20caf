import { existsSync } from 'node:fs';
import { env } from '../config/env.ts';
import { logger } from '../logger.ts';

let fired = false;

/**
 * Reliability tests need a payment transaction caught in the act: written but not committed. These
 * hooks (off unless FAULT_PAYMENT_* is set) stop the first payment transaction of the process at
 * that point, once: "hold" keeps the event loop running (so the test can kill the connection),
 * "freeze" blocks it (so the job's lock expires and another worker takes the job, as when a worker
 * stalls in a long GC pause or on a starved VM). Either ends early once FAULT_PAYMENT_RELEASE_FILE
 * exists: the test creates it when it has seen what it waits for.
 */
export async function paymentWrittenNotCommitted(jobContext: Record<string, unknown>): Promise<void> {
  const { FAULT_PAYMENT_HOLD_MS: hold, FAULT_PAYMENT_FREEZE_MS: freeze, FAULT_PAYMENT_RELEASE_FILE: releaseFile } = env();
  if (fired || (hold === 0 && freeze === 0)) return;
  fired = true;
  logger.warn({ ...jobContext, holdMs: hold, freezeMs: freeze }, 'fault injection: payment transaction paused before commit');
  const released = () => releaseFile !== '' && existsSync(releaseFile);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  // Blocks the event loop, looking for the release file between naps.
  for (const until = Date.now() + freeze; Date.now() < until && !released();) Atomics.wait(sleeper, 0, 0, Math.min(100, until - Date.now()));
  for (const until = Date.now() + hold; Date.now() < until && !released();) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}

let refundFired = false;

/**
 * Like paymentWrittenNotCommitted, for the refund command: holds the first refund transaction of the
 * process open this long after its writes (FAULT_REFUND_HOLD_MS), so a test can kill the process
 * while the refund is written but not committed.
 */
export async function refundWrittenNotCommitted(context: Record<string, unknown>): Promise<void> {
  const hold = env().FAULT_REFUND_HOLD_MS;
  if (refundFired || hold === 0) return;
  refundFired = true;
  logger.warn({ ...context, holdMs: hold }, 'fault injection: refund transaction paused before commit');
  await new Promise((resolve) => setTimeout(resolve, hold));
}
