import path from 'node:path';
import type { Command } from 'commander';
import { createDb } from '../db/client.ts';
import { IMPORTS } from '../imports/catalog.ts';
import { IMPORT_CONNECTIONS, IMPORT_KINDS, runImport, type ImportSummary, type RowProblem } from '../imports/import-runner.ts';
import { EXIT, printJson, printLine } from './output.ts';

export function registerImportCommands(program: Command): void {
  const importCommand = program
    .command('import')
    .description('import an operator CSV file (UTF-8 or GB18030, header row); bad rows are reported and skipped, exit 2 if any');
  for (const kind of IMPORT_KINDS) {
    const definition = IMPORTS[kind];
    importCommand
      .command(kind)
      .summary(definition.description)
      .description(`${definition.description}\ncolumns: ${[...definition.columns, ...(definition.optionalColumns ?? []).map((c) => `[${c}]`)].join(', ')}`)
      .argument('<file>', 'CSV file to import')
      .option('--json', 'machine-readable output: {file, kind, read, imported, unchanged, rejected, errors}')
      .action(async (file: string, options: { json?: boolean }) => {
        const db = createDb(undefined, IMPORT_CONNECTIONS);
        try {
          const progress = progressReporter(path.basename(file));
          const summary = await runImport(db, definition, file, { onProgress: progress.update }).finally(progress.done);
          if (options.json) printJson(summary);
          else printSummary(summary);
          if (summary.rejected > 0) process.exitCode = EXIT.rowsRejected;
        } finally {
          await db.close();
        }
      });
  }
}

/** `FILE:ROW column: reason`, one line per rejected row (the reason never holds personal data). */
export function formatRowProblem(file: string, problem: RowProblem): string {
  return `${file}:${problem.row} ${problem.column ?? '(row)'}: ${problem.reason}`;
}

function printSummary(summary: ImportSummary): void {
  // Row errors are diagnostics (stderr); the summary is the result (stdout).
  for (const problem of summary.errors) process.stderr.write(`${formatRowProblem(summary.file, problem)}\n`);
  if (summary.rejected > summary.errors.length) {
    process.stderr.write(`${summary.file}: ${summary.rejected - summary.errors.length} more rejected rows not listed\n`);
  }
  printLine(
    `${summary.file}: ${summary.kind}: ${summary.read} rows read, ${summary.imported} imported, ` +
      `${summary.unchanged} unchanged, ${summary.rejected} rejected`,
  );
}

const PROGRESS_LINE_MS = 10_000;
const PROGRESS_TTY_MS = 250;

/**
 * Progress on stderr: a live counter on a terminal, a line every few seconds otherwise. Rows read is
 * the measure: the total is unknown until a streamed file ends.
 */
function progressReporter(file: string): { update: (read: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let last = started;
  let shown = false;
  return {
    update(read) {
      const now = Date.now();
      if (now - last < (tty ? PROGRESS_TTY_MS : PROGRESS_LINE_MS)) return;
      last = now;
      shown = true;
      const text = `${file}: ${read} rows read (${Math.round(read / ((now - started) / 1000))} rows/s)`;
      process.stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
    },
    done() {
      if (tty && shown) process.stderr.write('\r\u001b[K');
    },
  };
}
