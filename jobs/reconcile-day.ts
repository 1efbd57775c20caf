import type { FileResult } from '../src/recon/reconcile-file.service.ts';
import { fanOutDay, finishDay } from '../src/recon/reconcile-day.service.ts';
import { jobCatalog } from '../src/queue/catalog.ts';
import { addChildren, fanOutThenFinish } from './flows.ts';
import type { JobHandler } from './workers.ts';

/** One reconcile-file child per inbox file of the day; once all are done, MISSING_IN_FILE and the reports. */
export const handleReconcileDayJob: JobHandler<'reconcile-day'> = (payload, context) =>
  fanOutThenFinish(
    context,
    payload,
    async () => ({
      settled: await fanOutDay(context.app, payload, (files) =>
        addChildren(context, 'reconcile-file', files.map((file) => ({
          data: { businessDate: payload.businessDate, inbox: payload.inbox, fileName: file.fileName, sha256: file.sha256 },
          jobId: jobCatalog['reconcile-file'].jobId(file, context.job.id!),
          // A file that cannot be reconciled (a fault, not a discrepancy) fails the day: its report would be wrong.
        })), { failParentOnFailure: true })),
    }),
    (saved, children) => finishDay(context.app.db.pool, saved, children as FileResult[]),
  );
