import type { Command } from 'commander';
import { env } from '../config/env.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { printJson, printLine } from './output.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('create the database if missing and apply pending migrations')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const { database, applied } = await migrateDatabase(env().DATABASE_URL);
      if (options.json) {
        printJson({ database, applied });
        return;
      }
      for (const name of applied) printLine(`applied ${name}`);
      printLine(`database ${database} is up to date${applied.length === 0 ? ': no migration was pending' : ` (${applied.length} migrations applied)`}`);
    });
}
