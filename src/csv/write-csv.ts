import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
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
 * end, so a reader never sees half a file. `rows` yields batches of already-formatted cells.
 */
export async function writeCsvExport(file: string, header: readonly string[], rows: AsyncIterable<string[][]>): Promise<number> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.partial`;
  const out = createWriteStream(temporary);
  const csv = stringify({ header: true, columns: [...header], quoted_match: /[\r\n",]/ });
  csv.pipe(out);
  let count = 0;
  for await (const batch of rows) {
    for (const row of batch) {
      if (!csv.write(row.map(spreadsheetSafe))) await new Promise((resolve) => csv.once('drain', resolve));
      count++;
    }
  }
  csv.end();
  await finished(out);
  await rename(temporary, file);
  return count;
}
