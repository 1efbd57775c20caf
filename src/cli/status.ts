import type { Command } from 'commander';
import { formatYuan } from '../domain/money.ts';
import { collectStatus } from '../operations/status.service.ts';
import { withApp } from './app.ts';
import { printJson, printLine, printTable } from './output.ts';

export function registerStatusCommand(program: Command): void {
  program.command('status')
    .description('queues, campaign progress, schedule ticks, reconciliation days and failed jobs at a glance')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => withApp(async (app) => {
      const status = await collectStatus(app);
      if (options.json) {
        printJson({ ...status, campaigns: status.campaigns.map((c) => ({ ...c, collected: formatYuan(c.collected) })) });
        return;
      }
      printLine('queues');
      printTable(
        ['queue', 'waiting', 'active', 'delayed', 'waiting-children', 'completed', 'failed'],
        status.queues.map((q) => [q.queue, q.counts.waiting + q.counts.prioritized, q.counts.active, q.counts.delayed, q.counts['waiting-children'], q.counts.completed, q.counts.failed]),
      );
      printLine('campaigns');
      printTable(
        ['id', 'year', 'province', 'window', 'open', 'orders', 'pending', 'paid', 'failed', 'skipped', 'refunded', 'collected', 'unfinished runs'],
        status.campaigns.map((c) => [
          c.id, c.year, c.province, c.window, c.open ? 'yes' : 'no', c.orders, c.byStatus.pending, c.byStatus.paid, c.byStatus.failed, c.byStatus.skipped,
          c.byStatus.refunded, formatYuan(c.collected), c.unfinishedRuns,
        ]),
      );
      printLine('schedule ticks (latest first)');
      printTable(['schedule', 'tick', 'fired by', 'finished'], status.schedules.map((s) => [s.schedule, s.tick, s.firedBy, s.finishedAt ?? 'not yet']));
      if (status.reconciliation) {
        printLine('reconciliation (latest business days)');
        printTable(['business date', 'runs', 'last run'], status.reconciliation.map((r) => [r.businessDate, r.runs, r.lastRunAt]));
      }
      if (status.failedJobs.length === 0) {
        printLine('no failed jobs');
        return;
      }
      printLine('failed jobs');
      printTable(['queue', 'job id', 'name', 'attempts', 'failed at', 'reason'], status.failedJobs.map((j) => [j.queue, j.id, j.name, j.attempts, j.failedAt ?? '', j.reason]));
    }, { redis: true }));
}
