import type { Command } from 'commander';
import { writeCsvExport } from '../csv/write-csv.ts';
import { createDb } from '../db/client.ts';
import { NOTICE_COLUMNS, readNotices } from '../statements/notices.queries.ts';
import { printJson, printLine, UserError } from './output.ts';

function count(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) throw new UserError(`${flag} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

export function registerNoticeCommands(program: Command): void {
  const notices = program.command('notices').description('the notices outbox for the messaging gateway');
  notices.command('export')
    .description(`write notices after a notice_id to CSV in notice_id order (${NOTICE_COLUMNS.join(', ')})`)
    .option('--after <id>', 'only notices with a larger notice_id (the gateway\'s cursor)', '0')
    .option('--limit <n>', 'at most this many notices')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'machine-readable output')
    .action(async (options: { after: string; limit?: string; out: string; json?: boolean }) => {
      const after = count(options.after, '--after', 0);
      const limit = options.limit === undefined ? null : count(options.limit, '--limit', 1);
      const db = createDb(undefined, 2);
      try {
        let last = after;
        async function* rows() {
          for await (const page of readNotices(db.pool, after, limit)) {
            last = Number(page[page.length - 1]![0]);
            yield page;
          }
        }
        const written = await writeCsvExport(options.out, NOTICE_COLUMNS, rows());
        if (options.json) printJson({ file: options.out, notices: written, last_notice_id: last });
        else printLine(`${written} notices written to ${options.out}${written > 0 ? ` (last notice_id ${last})` : ''}`);
      } finally {
        await db.close();
      }
    });
}
