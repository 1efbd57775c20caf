import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { parse, type Options as ParseOptions, type Parser } from 'csv-parse';
import { detectEncoding, TextDecoding, type TextEncoding } from './encoding.ts';
import { LineGuard, OVERSIZE_MARK } from './line-guard.ts';

/** Longest line kept; longer rows become row errors instead of growing memory. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/** A whole-file problem: nothing of the file may be used. */
export class CsvFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${path.basename(file)}: ${reason}`);
    this.name = 'CsvFileError';
  }
}

/** One data record; `row` is its 1-based number, header and blank lines excluded. */
export type CsvRecord =
  | { row: number; fields: string[]; error?: undefined }
  | { row: number; fields?: undefined; error: string };

export interface CsvFile<C extends string> {
  encoding: TextEncoding;
  /** Index of each required column in every record, and of each optional column the header has. */
  columns: Record<C, number>;
  /** Number of header cells: a record with another count has the wrong column count. */
  width: number;
  /** The data records, one at a time. Iterate either this or `batches`, once. */
  records: AsyncIterable<CsvRecord>;
  /**
   * The same records in file order, in arrays of up to a thousand: one await per batch instead of
   * per row, which is what keeps million-row files fast.
   */
  batches: AsyncIterable<CsvRecord[]>;
}

export interface OpenCsvOptions<C extends string> {
  required: readonly C[];
  /** Columns a file may lack: mapped when the header has them, left out of `columns` otherwise. */
  optional?: readonly C[];
  /** Extra header labels accepted for a column (e.g. Chinese labels in reconciliation files). */
  aliases?: Partial<Record<C, readonly string[]>>;
  maxRecordBytes?: number;
  /** Reads bytes [0, end) only: the first part of a file whose rest another reader takes (see readCsvPart). */
  end?: number;
}

/**
 * Opens a CSV file as described in SPEC section 2: UTF-8 (BOM or not) or GB18030, CRLF or LF,
 * RFC 4180 quoting, header row naming the columns in any order. Fields are trimmed. Throws
 * CsvFileError for a missing file, an undecodable file, no header or a missing required column.
 */
export async function openCsv<C extends string>(file: string, options: OpenCsvOptions<C>): Promise<CsvFile<C>> {
  const encoding = await detectEncoding(file).catch((error: NodeJS.ErrnoException) => {
    throw new CsvFileError(file, error.code === 'ENOENT' ? 'file not found' : `cannot read file: ${error.message}`);
  });
  if (!encoding) throw new CsvFileError(file, 'cannot be decoded as UTF-8 or GB18030');
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;

  const iterator = parseBatches(file, encoding, maxRecordBytes, { firstRow: 0, end: options.end })[Symbol.asyncIterator]();
  // The header is record 0 of the first batch, so data records are numbered from 1.
  let first: CsvRecord[] = [];
  while (first.length === 0) {
    const next = await iterator.next();
    if (next.done) throw new CsvFileError(file, 'no header row');
    first = next.value;
  }
  const head = first[0]!;
  if (head.error !== undefined) throw new CsvFileError(file, `unreadable header: ${head.error}`);
  const header = head.fields.map((cell, i) => (i === 0 ? cell.replace(/^\uFEFF/, '') : cell));
  const columns = mapColumns(file, header, options);

  async function* batches(): AsyncGenerator<CsvRecord[]> {
    if (first.length > 1) yield first.slice(1);
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const source = batches();
  async function* records(): AsyncGenerator<CsvRecord> {
    for await (const batch of source) yield* batch;
  }
  return { encoding, columns, width: header.length, records: records(), batches: source };
}

function mapColumns<C extends string>(file: string, header: string[], options: OpenCsvOptions<C>): Record<C, number> {
  const columns = {} as Record<C, number>;
  const missing: string[] = [];
  // Which of two same-named columns holds the data is a guess: the file is rejected, not guessed at.
  const repeated = header.find((cell, i) => cell !== '' && header.indexOf(cell) !== i);
  if (repeated !== undefined) throw new CsvFileError(file, `duplicate column ${repeated} in the header`);
  for (const name of options.required) {
    const labels = [name, ...(options.aliases?.[name] ?? [])];
    const cells = header.filter((cell) => labels.includes(cell));
    if (cells.length > 1) throw new CsvFileError(file, `duplicate column ${name} in the header (${cells.join(', ')})`);
    const index = header.findIndex((cell) => labels.includes(cell));
    if (index < 0) missing.push(name);
    else columns[name] = index;
  }
  if (missing.length > 0) throw new CsvFileError(file, `missing required column ${missing.join(', ')}`);
  for (const name of options.optional ?? []) {
    const index = header.indexOf(name);
    if (index >= 0) columns[name] = index;
  }
  return columns;
}

/**
 * The data records of a file from byte `start` on (which must begin a line outside any quoted
 * field), numbered from 1, in batches as CsvFile's: the rest of a file whose header and first part
 * another reader took.
 */
export function readCsvPart(file: string, encoding: TextEncoding, start: number, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): AsyncIterable<CsvRecord[]> {
  return parseBatches(file, encoding, maxRecordBytes, { firstRow: 1, start });
}

const BATCH_SIZE = 1000;

/** A record csv-parse skipped, passed in-band so it keeps its place among the records. */
interface Skipped {
  skipped: string;
}

interface Part {
  /** The number of the part's first record (the header is record 0). */
  firstRow: number;
  start?: number;
  end?: number | undefined;
}

/** Every record of the part (from the header, row 0, for a whole file), in batches, with row errors in file order. */
async function* parseBatches(file: string, encoding: TextEncoding, maxRecordBytes: number, part: Part): AsyncGenerator<CsvRecord[]> {
  // Not on_record: csv-parse builds a context object for every record it calls that hook with,
  // which halves its speed; records are numbered here instead.
  const parser: Parser = parse({
    relax_column_count: true,
    // UTF-8 arrives as bytes, BOM included.
    bom: true,
    // A stray quote inside a field is kept as text; strict quoting would swallow the next line.
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes * 16,
    on_skip: (error) => {
      // Called while the record would have been pushed, so pushing the marker keeps file order.
      // csv-parse ends some messages with the field's text (`value is "..."`), which can be a name or an ID number.
      parser.push({ skipped: error?.message.replace(/, value is [\s\S]*$/, '') ?? 'unreadable record' } satisfies Skipped);
      return undefined;
    },
  } as ParseOptions);
  const read = createReadStream(file, {
    highWaterMark: Math.min(64 * 1024, maxRecordBytes),
    start: part.start,
    // Inclusive.
    end: part.end === undefined ? undefined : part.end - 1,
  });
  // Errors reach the loop below through the parser stream, which pipeline destroys with them.
  const stream = encoding === 'utf-8'
    ? pipeline(read, new LineGuard(maxRecordBytes), parser, () => undefined)
    : pipeline(read, new LineGuard(maxRecordBytes), new TextDecoding(encoding), parser, () => undefined);
  let row = part.firstRow - 1;
  try {
    for await (const items of drain(stream as Readable, BATCH_SIZE)) {
      const batch: CsvRecord[] = [];
      for (const item of items as (string[] | Skipped)[]) {
        if (!Array.isArray(item)) {
          batch.push({ row: ++row, error: item.skipped });
        } else if (item.length === 1 && item[0]!.trim() === '') {
          // A line of blanks only: ignored like an empty line.
        } else if (trimInPlace(item)) {
          batch.push({ row: ++row, fields: item });
        } else {
          batch.push({ row: ++row, error: `record longer than ${maxRecordBytes} bytes (or holds a NUL character)` });
        }
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    // A reader that stops early gets the file closed before it goes on.
    if (!read.closed) await new Promise<void>((resolve) => read.once('close', () => resolve()));
  }
}

/** Trims every cell of a record csv-parse handed over (no copy); false when a cell holds the oversize mark. */
function trimInPlace(cells: string[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.includes(OVERSIZE_MARK)) return false;
    cells[i] = cell.trim();
  }
  return true;
}

/** Reads whatever the stream has buffered in one go: one await per batch rather than per item. */
async function* drain(stream: Readable, size: number): AsyncGenerator<unknown[]> {
  let ended = false;
  let failure: Error | undefined;
  let wake = () => undefined as void;
  stream.on('readable', () => wake());
  stream.once('end', () => {
    ended = true;
    wake();
  });
  stream.once('error', (error) => {
    failure = error;
    wake();
  });
  try {
    for (;;) {
      const batch: unknown[] = [];
      for (let item; batch.length < size && (item = stream.read()) !== null;) batch.push(item);
      if (batch.length > 0) yield batch;
      else if (failure) throw failure;
      else if (ended) return;
      else await new Promise<void>((resolve) => { wake = resolve; });
    }
  } finally {
    stream.destroy();
  }
}
