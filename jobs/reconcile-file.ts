import { reconcileFile } from '../src/recon/reconcile-file.service.ts';
import type { JobHandler } from './workers.ts';

export const handleReconcileFile: JobHandler<'reconcile-file'> = (payload, { app, job }) =>
  reconcileFile(app, payload, (rows) => job.updateProgress({ file: payload.fileName, rows }));
