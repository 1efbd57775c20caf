import { statSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import manifest from '../../package.json' with { type: 'json' };
import { env } from '../config/env.ts';
import { configureLogger } from '../logger.ts';
import { CsvFileError } from '../csv/read-csv.ts';
import { EXIT, printDiagnostic, UserError } from './output.ts';
import { escapeControl } from '../terminal-text.ts';
import { registerCampaignCommands } from './campaign.ts';
import { registerDbCommands } from './db.ts';
import { registerDemoCommand } from './demo.ts';
import { registerFailureCommands } from './failures.ts';
import { registerHandoffCommands } from './handoff.ts';
import { registerImportCommands } from './import.ts';
import { registerLedgerCommands } from './ledger.ts';
import { registerOrderCommands } from './orders.ts';
import { registerProcessCommands } from './processes.ts';
import { registerReconCommands } from './recon.ts';
import { registerRefundCommand } from './refund.ts';
import { registerRetryCommand } from './retry.ts';
import { registerStatusCommand } from './status.ts';
import { registerAdminCommand } from './admin.ts';
import { registerStatementCommand } from './statement.ts';
import { registerNoticeCommands } from './notices.ts';

const program = new Command('premium-worker')
  .description('Family mutual-aid premium campaigns and nightly reconciliation of personal-account deductions')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  // Usage errors quote the arguments as typed (or pasted).
  .configureOutput({ writeErr: (text) => process.stderr.write(text.split('\n').map(escapeControl).join('\n')) })
  .version(manifest.version)
  .option('--env-file <file>', 'read settings from this file (KEY=value lines, as node --env-file; variables already set win)')
  .hook('preAction', (_program, command) => {
    const { envFile } = program.opts<{ envFile?: string }>();
    if (envFile !== undefined) loadEnvFile(envFile);
    env(); // a bad setting ends the command here, as one line naming the variable
    configureLogger(defaultLogFormat(command));
  });

function loadEnvFile(file: string): void {
  // Node 20 ends the process itself (with its own message) when the file cannot be read.
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UserError(`--env-file ${file}: no such file`);
  process.loadEnvFile(file);
}

/** Long-running processes feed a log collector; a person at a terminal reads the rest. */
const JSON_LOG_COMMANDS = new Set(['worker', 'scheduler', 'start', 'admin']);

function defaultLogFormat(command: Command): 'json' | 'pretty' {
  let top = command;
  while (top.parent && top.parent !== program) top = top.parent;
  return !JSON_LOG_COMMANDS.has(top.name()) && process.stderr.isTTY ? 'pretty' : 'json';
}

registerDbCommands(program);
registerImportCommands(program);
registerReconCommands(program);
registerCampaignCommands(program);
registerOrderCommands(program);
registerFailureCommands(program);
registerRetryCommand(program);
registerRefundCommand(program);
registerHandoffCommands(program);
registerLedgerCommands(program);
registerStatementCommand(program);
registerNoticeCommands(program);
registerProcessCommands(program);
registerStatusCommand(program);
registerAdminCommand(program);
registerDemoCommand(program);

function oneLine(error: unknown): string {
  if (error instanceof UserError || error instanceof CsvFileError) return error.message;
  const e = error as { code?: string; message?: string };
  if (e.code === 'ER_BAD_DB_ERROR' || e.code === 'ER_NO_SUCH_TABLE') return `${e.message}: run premium-worker db migrate to create or update the schema`;
  if (e.code === 'ECONNREFUSED') return `cannot connect: ${e.message} (is the database or Redis running? see scripts/ensure-services.sh)`;
  return e.message ?? String(error);
}

/**
 * Exits once stdout and stderr have handed everything to their readers. On a pipe Node writes
 * asynchronously (64 KiB at a time): process.exit right after a large write drops the rest. A
 * write's callback runs after every earlier write has been flushed, so an empty one marks the end.
 */
async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}

// A reader that stops early (`| head`) closes the pipe: what it did not want is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}

try {
  await program.parseAsync(process.argv);
  await exitWhenFlushed(Number(process.exitCode ?? EXIT.ok));
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version "fail" with exit code 0; usage errors were already printed.
    await exitWhenFlushed(error.exitCode === 0 ? EXIT.ok : EXIT.error);
  }
  printDiagnostic(`error: ${oneLine(error)}`);
  if (process.env.DEBUG) console.error(error);
  await exitWhenFlushed(EXIT.error);
}
