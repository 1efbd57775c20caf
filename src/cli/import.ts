import path from 'node:path';
import type { Command } from 'commander';
import { createDb } from '../db/client.ts';
import { IMPORTS } from '../imports/catalog.ts';
import { IMPORT_CONNECTIONS, IMPORT_KINDS, runImport, type ImportSummary, type RowProblem } from '../imports/import-runner.ts';
import { EXIT, printDiagnostic, printJson, printLine } from './output.ts';
import { progressDisplay } from './progress.ts';
import { escapeControl } from '../terminal-text.ts';

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
          const progress = progressDisplay(`${escapeControl(path.basename(file))}: rows`, 10_000);
          const summary = await runImport(db, definition, file, { onProgress: (done) => progress.update({ done }) }).finally(() => progress.stop());
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
  for (const problem of summary.errors) printDiagnostic(formatRowProblem(summary.file, problem));
  if (summary.rejected > summary.errors.length) {
    printDiagnostic(`${summary.file}: ${summary.rejected - summary.errors.length} more rejected rows not listed`);
  }
  printLine(
    `${summary.file}: ${summary.kind}: ${summary.read} rows read, ${summary.imported} imported, ` +
      `${summary.unchanged} unchanged, ${summary.rejected} rejected`,
  );
}
