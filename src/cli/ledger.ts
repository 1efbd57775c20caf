import type { Command } from 'commander';
import { formatYuan } from '../domain/money.ts';
import { DEFAULT_SETTLE_SECONDS, runLedgerVerify } from '../ledger/verify.ts';
import { withApp } from './app.ts';
import { EXIT, printJson, printLine, printTable } from './output.ts';

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('personal-account ledger');
  ledger.command('verify')
    .description('prove every balance and every paid order against the ledger; exits 1 when anything disagrees')
    .option('--full', 'prove everything from the first entry, not only what changed since the last checkpoint')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean; full?: boolean }) => withApp(async (app) => {
      const report = await runLedgerVerify(app.db.pool, { full: options.full, settleSeconds: DEFAULT_SETTLE_SECONDS });
      if (report.problems.length > 0) process.exitCode = EXIT.error;
      if (options.json) {
        printJson({ ok: report.problems.length === 0, ...report });
        return;
      }
      printLine(report.mode === 'full'
        ? `full verify: read all ${report.entriesRead} ledger entries`
        : `incremental verify: read ${report.entriesRead} ledger entries after the checkpoint (--full proves everything from zero)`);
      printLine(`checked ${report.accounts} accounts, ${report.orders} orders, ${report.settlements} settlements, ${report.entries} ledger entries`);
      if (report.problems.length === 0) {
        printLine(`checkpoint now at ledger entry ${report.checkpointEntryId}`);
        printLine('ledger OK: every balance equals opening + credits + adjustments + refunds - debits; every paid order is covered exactly; every refunded order nets to zero');
        return;
      }
      printTable(['check', 'subject', 'expected', 'actual'], report.problems.map((p) => [p.check, p.subject, formatYuan(p.expected), formatYuan(p.actual)]));
      printLine(`ledger NOT consistent: ${report.problems.length} problem(s); checkpoint not moved`);
    }));
}
