import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../app.ts';
import { env } from '../config/env.ts';
import { databaseName } from '../db/client.ts';
import { recreateDatabase } from '../db/migrate.ts';
import { runDemo } from '../demo/demo.service.ts';
import { formatYuan } from '../domain/money.ts';
import { RECON_CODES } from '../domain/reconciliation.ts';
import { logger } from '../logger.ts';
import { EXIT, printJson, printLine, printTable } from './output.ts';
import { printStatement } from './statement.ts';

/**
 * The demo never touches the configured database: it works in `<database>_demo` and under the queue
 * prefix `<prefix>-demo`, recreated on every run and left behind for inspection.
 */
function demoTargets(): { databaseUrl: string; database: string; prefix: string } {
  const url = new URL(env().DATABASE_URL);
  const database = `${databaseName(url.toString())}_demo`;
  url.pathname = `/${database}`;
  return { databaseUrl: url.toString(), database, prefix: `${env().QUEUE_PREFIX}-demo` };
}

export function registerDemoCommand(program: Command): void {
  program.command('demo')
    .description('synthetic province end to end: imports, campaign, monthly credit, retry, ledger proof, report')
    .option('--families <n>', 'families to generate', '10000')
    .option('--dir <dir>', 'where the generated files go', 'data/demo')
    .option('--json', 'machine-readable output')
    .action(async (options: { families: string; dir: string; json?: boolean }) => {
      const started = performance.now();
      // The step lines are the demo's output; job logs would drown them unless asked for.
      if (!process.env.LOG_LEVEL) logger.level = 'warn';
      const { databaseUrl, database, prefix } = demoTargets();
      await recreateDatabase(databaseUrl);
      await mkdir(options.dir, { recursive: true });
      const app = createApp({ databaseUrl, queuePrefix: prefix });
      try {
        const stale = await app.redis.keys(`${prefix}:*`);
        if (stale.length > 0) await app.redis.del(...stale);
        const report = await runDemo(app, {
          families: Number(options.families),
          dir: path.resolve(options.dir),
          onStep: options.json ? undefined : (s) => process.stderr.write(`  ${s.step.padEnd(30)} ${s.seconds.toFixed(2).padStart(7)} s  ${s.result}\n`),
        });
        const seconds = (performance.now() - started) / 1000;
        if (report.ledger.problems.length > 0) process.exitCode = EXIT.error;
        if (options.json) {
          printJson({ database, queuePrefix: prefix, seconds, ...report });
          return;
        }
        printLine('');
        printLine(`Campaign ${report.campaignId} orders by outcome:`);
        printTable(['status', 'failure_code', 'orders', 'premium (yuan)'], report.orders.map((o) => [o.status, o.failureCode ?? '', o.orders, formatYuan(o.premium)]));
        printLine(`Reconciliation of ${report.recon.businessDate} (report ${path.relative(process.cwd(), report.recon.report)}):`);
        printTable(['fixmedins_code', ...RECON_CODES], report.recon.counts.map((c) => [c.fixmedinsCode, ...RECON_CODES.map((code) => c.counts[code])]));
        printTable(['money moved', 'yuan'], [
          ['premiums collected from personal accounts', formatYuan(report.money.premiumsCollected)],
          ['monthly credits into personal accounts', formatYuan(report.money.creditsIn)],
          ['all personal-account debits', formatYuan(report.money.debits)],
        ]);
        for (const [i, statement] of report.statements.entries()) {
          printLine(`Statement of ${statement.person.psnNo} (${i === 0 ? 'the payer with the most relatives' : 'the relative with the most payers'}):`);
          printStatement(statement, { rows: true });
        }
        printTable(['notice event', 'notices'], report.notices.map((n) => [n.event, n.notices]));
        printLine(`ledger: ${report.ledger.problems.length === 0 ? 'consistent' : 'INCONSISTENT'} (${report.ledger.entries} entries, ${report.ledger.accounts} accounts)`);
        printLine(`done in ${seconds.toFixed(1)} s. Inspect: DATABASE_URL=${databaseUrl} npm run cli -- campaign status ${report.campaignId}`);
      } finally {
        await app.close();
      }
    });
}
