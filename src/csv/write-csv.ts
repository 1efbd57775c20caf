import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Spreadsheets run a cell starting with = + - @ (or tab / CR) as a formula: such a cell that is not
 * a plain number gets a leading apostrophe.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

/**
 * Writes a CSV export (UTF-8, header row, RFC 4180 quoting) through a temporary file renamed at the
 * end, so a reader never sees half a file. `rows` yields batches of already-formatted cells. A
 * write error (a full disk: ENOSPC) rejects with the file's name and leaves no `.partial` behind;
 * it is never an unhandled stream error that would take the process down. `mode` (e.g. 0o600) is
 * the file's permission from its creation on.
 */
export async function writeCsvExport(file: string, header: readonly string[], rows: AsyncIterable<string[][]>, options: { mode?: number } = {}): Promise<number> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.partial`;
  let out;
  if (options.mode === undefined) out = createWriteStream(temporary);
  else {
    // A file holding personal data is created with its mode (never chmod-ed after it was written):
    // a leftover partial file of an earlier run, whatever its mode, is removed, not reused.
    await rm(temporary, { force: true });
    out = createWriteStream(temporary, { flags: 'wx', mode: options.mode });
  }
  const csv = stringify({ header: true, columns: [...header], quoted_match: /[\r\n",]/ });
  const written = pipeline(csv, out);
  // Awaited below; until then a failure must not count as unhandled.
  written.catch(() => undefined);
  let count = 0;
  try {
    for await (const batch of rows) {
      for (const row of batch) {
        // Once the file has failed, the next write finds the stream destroyed and `written` rejected.
        if (!csv.write(row.map(spreadsheetSafe))) await Promise.race([once(csv, 'drain'), written]);
        count++;
      }
    }
    csv.end();
    await written;
    await rename(temporary, file);
  } catch (error) {
    csv.destroy();
    await rm(temporary, { force: true });
    throw new Error(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
  return count;
}
