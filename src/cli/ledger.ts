import type { Command } from 'commander';
import { formatYuan } from '../domain/money.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { withApp } from './app.ts';
import { EXIT, printJson, printLine, printTable } from './output.ts';

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('personal-account ledger');
  ledger.command('verify')
    .description('prove every balance and every paid order against the ledger; exits 1 when anything disagrees')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => withApp(async (app) => {
      const report = await verifyLedger(app.db.pool);
      if (report.problems.length > 0) process.exitCode = EXIT.error;
      if (options.json) {
        printJson({ ok: report.problems.length === 0, ...report });
        return;
      }
      printLine(`checked ${report.accounts} accounts, ${report.orders} orders, ${report.settlements} settlements, ${report.entries} ledger entries`);
      if (report.problems.length === 0) {
        printLine('ledger OK: every balance equals opening + credits + adjustments + refunds - debits; every paid order is covered exactly; every refunded order nets to zero');
        return;
      }
      printTable(['check', 'subject', 'expected', 'actual'], report.problems.map((p) => [p.check, p.subject, formatYuan(p.expected), formatYuan(p.actual)]));
      printLine(`ledger NOT consistent: ${report.problems.length} problem(s)`);
    }));
}
