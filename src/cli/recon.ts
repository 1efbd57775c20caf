import path from 'node:path';
import type { Command } from 'commander';
import { handlers } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { env } from '../config/env.ts';
import { parseReconFileName, RECON_CODES } from '../domain/reconciliation.ts';
import { parseDate } from '../domain/time.ts';
import { countsOfDay, dayWasReconciled } from '../recon/recon.repository.ts';
import { startReconRun, type DayResult } from '../recon/reconcile-day.service.ts';
import { writeReconExport } from '../recon/report.ts';
import { fileExists } from '../recon/inbox.ts';
import { runUntilFinished } from '../../jobs/wait.ts';
import { recordAction } from '../audit/audit.repository.ts';
import { operatorName, withApp } from './app.ts';
import { printJson, printLine, printTable, UserError } from './output.ts';
import { withProgress } from './progress.ts';

function businessDateOf(value: string): string {
  const date = parseDate(value);
  if (!date) throw new UserError(`--date must be a date YYYY-MM-DD, got '${value}'`);
  return date;
}

interface RunOptions {
  date: string;
  inbox?: string;
  outbox?: string;
  wait?: boolean;
  json?: boolean;
  operator?: string;
}

async function reconRun(app: App, options: RunOptions): Promise<void> {
  const businessDate = businessDateOf(options.date);
  const inbox = path.resolve(options.inbox ?? env().INBOX_DIR);
  // Without --outbox the worker writing the reports takes its own OUTBOX_DIR at that moment.
  const outbox = options.outbox === undefined ? undefined : path.resolve(options.outbox);
  // A mistyped folder would otherwise report every institution silent.
  if (!(await fileExists(inbox))) throw new UserError(`inbox ${inbox} does not exist`);
  const request = { businessDate, inbox, outbox };

  let started = await startReconRun(app, request);
  const actor = { operator: operatorName(options.operator), source: 'cli' } as const;
  await recordAction(app.db.pool, actor, 'recon.run', { businessDate, inbox, outbox, jobId: started.jobId, joined: started.joined });
  if (!options.wait) {
    if (options.json) printJson({ businessDate, jobId: started.jobId, queued: true, joined: started.joined });
    else printLine(`reconciliation of ${businessDate} queued as job ${started.jobId}; start a worker or add --wait`);
    return;
  }
  const progress = async () => {
    const job = await app.queues.get('recon').getJob(started.jobId);
    const counts = job ? await job.getDependenciesCount() : {};
    const done = (counts.processed ?? 0) + (counts.failed ?? 0) + (counts.ignored ?? 0);
    return { done, total: done + (counts.unprocessed ?? 0) };
  };
  let result = await withProgress('files', progress, runUntilFinished<DayResult>(app, handlers, 'recon', started.jobId), options.json);
  if (started.joined) {
    // The run we joined had listed the inbox before this request: run once more so files delivered since are included.
    started = await startReconRun(app, request);
    result = await withProgress('files', progress, runUntilFinished<DayResult>(app, handlers, 'recon', started.jobId), options.json);
  }
  const counts = await countsOfDay(app.db.pool, businessDate);
  const warnings = result.files.some((f) => f.status !== 'ignored' && parseReconFileName(f.file)?.businessDate === businessDate)
    ? []
    : [`no file of ${businessDate} was found in ${inbox}: every institution with settlements that day is MISSING_IN_FILE`];

  if (options.json) {
    printJson({
      businessDate, jobId: started.jobId, files: result.files,
      counts: counts.map((c) => ({ fixmedins_code: c.fixmedinsCode, ...c.counts })),
      discrepancies: result.discrepancies, report: result.report, countsFile: result.countsFile, warnings,
    });
    return;
  }
  for (const f of result.files) {
    printLine(`${f.file}: ${f.status}${f.rows !== undefined ? `, ${f.rows} rows` : ''}${f.reason ? ` (${f.reason})` : ''}`);
  }
  if (counts.length > 0) printTable(['fixmedins_code', ...RECON_CODES], counts.map((c) => [c.fixmedinsCode, ...RECON_CODES.map((code) => c.counts[code])]));
  for (const warning of warnings) printLine(`warning: ${warning}`);
  printLine(`${businessDate}: ${counts.length} institutions, ${result.discrepancies} discrepancies; report ${result.report}, counts ${result.countsFile}`);
}

export function registerReconCommands(program: Command): void {
  const recon = program.command('recon').description("nightly reconciliation of institutions' detail files against the ledger");

  recon.command('run')
    .description('reconcile every inbox file of a business day; writes recon_{YYYYMMDD}.csv and recon_{YYYYMMDD}_counts.csv to the outbox')
    .requiredOption('--date <YYYY-MM-DD>', 'business day (Asia/Shanghai)')
    .option('--inbox <dir>', 'folder institutions deliver into (default: INBOX_DIR)')
    .option('--outbox <dir>', 'folder the reports are written to (default: OUTBOX_DIR)')
    .option('--wait', 'run the reconciliation in this process and wait until it is finished')
    .option('--operator <name>', 'who asks, for the audit trail (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action((options: RunOptions) => withApp((app) => reconRun(app, options), { redis: true }));

  recon.command('export')
    .description('write the stored non-MATCHED outcomes of a business day as CSV')
    .requiredOption('--date <YYYY-MM-DD>', 'business day (Asia/Shanghai)')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'machine-readable output')
    .action((options: { date: string; out: string; json?: boolean }) => withApp(async (app) => {
      const businessDate = businessDateOf(options.date);
      if (!(await dayWasReconciled(app.db.pool, businessDate))) {
        throw new UserError(`${businessDate} has not been reconciled yet: run recon run --date ${businessDate} first`);
      }
      const file = path.resolve(options.out);
      const rows = await writeReconExport(app.db.pool, businessDate, file);
      if (options.json) printJson({ businessDate, file, rows });
      else printLine(`wrote ${rows} outcomes of ${businessDate} to ${file}`);
    }));
}
