import { DelayedError, WaitingChildrenError, type Job, type JobsOptions } from 'bullmq';
import type { App } from '../src/app.ts';
import type { JobInput, JobName, QueueName } from '../src/queue/catalog.ts';
import type { ParentRef } from '../src/queue/queues.ts';
import type { JobContext } from './workers.ts';

/*
 * BullMQ's step-job mechanics, kept here so that services take plain inputs and return results: a
 * parent job adds its children, saves its step in its data, parks itself until they have finished
 * (WaitingChildrenError) or until later (DelayedError), and runs again from the top.
 */

/** The reference children of this job are added under. */
export const parentOf = (job: Job): ParentRef => ({ id: job.id!, queue: job.queueQualifiedName });

/** Returns once every child of the job has finished; otherwise parks the job until they have. */
export async function awaitChildren({ job, token }: JobContext): Promise<void> {
  if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
}

/**
 * A step job whose work is not finished but that has no child to wait for (Redis lost part of the
 * flow, or it waits on work it cannot be the parent of): look again later instead of spinning or
 * giving up. The pause grows with the job's age, from 1 s to 30 s, so short work is seen finished
 * soon and long work is not polled often.
 */
export async function recheckLater({ job, token }: JobContext): Promise<never> {
  const delay = Math.min(30_000, Math.max(1000, (Date.now() - job.timestamp) / 10));
  await job.moveToDelayed(Date.now() + delay, token);
  throw new DelayedError();
}

/** Adds children under the running job, a bulk of at most 500 at a time. */
export async function addChildren<K extends JobName>(
  { app, job }: JobContext,
  name: K,
  children: readonly { data: JobInput<K>; jobId: string }[],
  options: Pick<JobsOptions, 'failParentOnFailure' | 'ignoreDependencyOnFailure'>,
): Promise<void> {
  const parent = parentOf(job);
  for (let i = 0; i < children.length; i += 500) {
    await app.queues.addBulk(name, children.slice(i, i + 500).map((c) => ({ data: c.data, options: { jobId: c.jobId, parent, ...options } })));
  }
}

/**
 * A parent job in two steps. `fanOut` adds the children and returns what the payload should
 * remember; it is saved with step 'wait', so a restarted job does not fan out twice. Once every
 * child has finished, `finish` gets that payload and the children's return values.
 */
export async function fanOutThenFinish<P extends { step: 'fan-out' | 'wait' }, R>(
  context: JobContext,
  payload: P,
  fanOut: () => Promise<Partial<P>>,
  finish: (payload: P, children: unknown[]) => Promise<R>,
): Promise<R> {
  if (payload.step === 'fan-out') {
    payload = { ...payload, ...(await fanOut()), step: 'wait' };
    await context.job.updateData(payload);
  }
  await awaitChildren(context);
  return finish(payload, Object.values(await context.job.getChildrenValues()));
}

export interface ChildState {
  jobId: string;
  /** BullMQ's state, or 'missing' when Redis no longer has the job. */
  state: string;
  result?: unknown;
  failedReason?: string;
}

/** The state of jobs a step added, by id. */
export async function childStates(app: App, queue: QueueName, jobIds: readonly string[]): Promise<ChildState[]> {
  return Promise.all(jobIds.map(async (jobId) => {
    const child = await app.queues.get(queue).getJob(jobId);
    if (!child) return { jobId, state: 'missing' };
    const state = await child.getState();
    return { jobId, state, result: child.returnvalue ?? undefined, failedReason: child.failedReason || undefined };
  }));
}
