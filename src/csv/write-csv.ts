import { once } from 'node:events';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
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
  // The target is checked and the temporary file opened before any row is read: a wrong --out fails at once.
  const temporary = await openTemporary(file, options.mode);
  const csv = stringify({ header: true, columns: [...header], quoted_match: /[\r\n",]/ });
  const written = pipeline(csv, temporary.handle.createWriteStream());
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
    await rename(temporary.path, file);
  } catch (error) {
    csv.destroy();
    await rm(temporary.path, { force: true });
    throw new Error(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
  return count;
}

/** `{file}.partial`, opened for writing, once `file` is known to be a writable file path. */
async function openTemporary(file: string, mode?: number): Promise<{ path: string; handle: FileHandle }> {
  const why = (error: NodeJS.ErrnoException) => new Error(`cannot write ${file}: ${error.code === 'EACCES' || error.code === 'EPERM' ? 'permission denied' : error.code === 'ENOTDIR' ? 'a part of the path is not a folder' : error.message}`);
  if ((await stat(file).catch(() => null))?.isDirectory()) throw new Error(`cannot write ${file}: it is a folder; give a file name`);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw why(error);
  });
  const temporary = `${file}.partial`;
  // A file holding personal data is created with its mode (never chmod-ed after it was written): a
  // leftover partial file of an earlier run, whatever its mode, is removed, not reused.
  if (mode !== undefined) await rm(temporary, { force: true });
  const handle = await (mode === undefined ? open(temporary, 'w') : open(temporary, 'wx', mode)).catch((error: NodeJS.ErrnoException) => {
    throw why(error);
  });
  return { path: temporary, handle };
}
