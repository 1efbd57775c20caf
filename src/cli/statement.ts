import type { Command } from 'commander';
import { writeCsvExport } from '../csv/write-csv.ts';
import { createDb } from '../db/client.ts';
import { formatYuan } from '../domain/money.ts';
import type { StatementPeriod } from '../domain/statement.ts';
import { parseDate } from '../domain/time.ts';
import { formatStatementRow, loadStatement, STATEMENT_COLUMNS, type Statement } from '../statements/statement.queries.ts';
import { printJson, printLine, printTable, UserError } from './output.ts';

function periodOf(options: { from?: string; to?: string }): StatementPeriod {
  const date = (value: string | undefined, flag: string) => {
    if (value === undefined) return null;
    const parsed = parseDate(value);
    if (parsed === null) throw new UserError(`${flag} must be a date YYYY-MM-DD, got '${value}'`);
    return parsed;
  };
  const period = { from: date(options.from, '--from'), to: date(options.to, '--to') };
  if (period.from !== null && period.to !== null && period.from > period.to) throw new UserError(`--from ${period.from} is after --to ${period.to}`);
  return period;
}

/** A statement for people: its rows (unless written elsewhere), then totals per direction and kind. */
export function printStatement(statement: Statement, show: { rows: boolean }): void {
  const { person, period } = statement;
  if (show.rows && statement.rows.length > 0) {
    printTable([...STATEMENT_COLUMNS], statement.rows.map(formatStatementRow).map((r) => STATEMENT_COLUMNS.map((c) => r[c])));
  }
  if (statement.rows.length === 0) {
    printLine(`no mutual-aid movements of ${person.psnNo} from ${period.from ?? 'the beginning'} to ${period.to ?? 'today'}`);
    return;
  }
  printTable(['direction', 'kind', 'movements', 'amount'], statement.totals.map((t) => [t.direction, t.kind, t.count, formatYuan(t.amount)]));
}

export function registerStatementCommand(program: Command): void {
  program.command('statement')
    .description('every movement of mutual-aid money a person took part in, both directions, oldest first, with totals')
    .argument('<psn_no>', 'the person')
    .option('--from <date>', 'from this day (YYYY-MM-DD)')
    .option('--to <date>', 'up to and including this day (YYYY-MM-DD)')
    .option('--out <file>', `write the rows to CSV (${STATEMENT_COLUMNS.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (psnNo: string, options: { from?: string; to?: string; out?: string; json?: boolean }) => {
      const period = periodOf(options);
      const db = createDb(undefined, 2);
      try {
        const statement = await loadStatement(db.pool, psnNo, period);
        // Not echoed: an ID number typed by mistake must not land in an error line.
        if (!statement) throw new UserError('unknown person: no one has the psn_no given');
        const rows = statement.rows.map(formatStatementRow);
        const totals = statement.totals.map((t) => ({ ...t, amount: formatYuan(t.amount) }));
        if (options.out) {
          async function* batches() {
            yield rows.map((r) => STATEMENT_COLUMNS.map((c) => r[c]));
          }
          await writeCsvExport(options.out, STATEMENT_COLUMNS, batches());
        }
        if (options.json) {
          printJson({ psn_no: statement.person.psnNo, from: period.from, to: period.to, ...(options.out ? { file: options.out } : { rows }), totals });
          return;
        }
        if (options.out) printLine(`${rows.length} movements of ${statement.person.psnNo} written to ${options.out}`);
        printStatement(statement, { rows: !options.out });
      } finally {
        await db.close();
      }
    });
}
