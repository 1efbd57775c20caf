import { handleReconcileDay } from '../src/recon/reconcile-day.service.ts';
import type { JobHandler } from '../src/queue/workers.ts';

export const handleReconcileDayJob: JobHandler<'reconcile-day'> = (payload, { app, job, token }) => handleReconcileDay(app, payload, job, token);
