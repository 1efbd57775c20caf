import Table from 'cli-table3';
import { snakeCaseKeys } from '../json-names.ts';
import { escapeControl, escapeJsonControl } from '../terminal-text.ts';

/** Exit codes of every command (SPEC 8). */
export const EXIT = { ok: 0, error: 1, rowsRejected: 2 } as const;

/** A failure the operator caused or can fix: printed as one line, no stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}

export interface OutputOptions {
  json?: boolean;
}

// Everything printed goes through these: text from files (names, cells) is shown with its control characters escaped.

/** --json output, with the domain's snake_case names (see json-names.ts). */
export function printJson(value: unknown): void {
  process.stdout.write(`${escapeJsonControl(JSON.stringify(snakeCaseKeys(value), null, 2))}\n`);
}

export function printTable(head: string[], rows: (string | number)[][]): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((r) => r.map((cell) => escapeControl(String(cell)))));
  process.stdout.write(`${table.toString()}\n`);
}

export function printLine(text: string): void {
  process.stdout.write(`${escapeControl(text)}\n`);
}

/** A diagnostic line (a rejected row, an error) on stderr. */
export function printDiagnostic(text: string): void {
  process.stderr.write(`${escapeControl(text)}\n`);
}
