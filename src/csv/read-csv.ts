import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { parse, type Options as ParseOptions } from 'csv-parse';
import { detectEncoding, type TextEncoding } from './encoding.ts';
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
  /** Index of each required column in every record. */
  columns: Record<C, number>;
  /** Number of header cells: a record with another count has the wrong column count. */
  width: number;
  records: AsyncIterable<CsvRecord>;
}

export interface OpenCsvOptions<C extends string> {
  required: readonly C[];
  /** Extra header labels accepted for a column (e.g. Chinese labels in reconciliation files). */
  aliases?: Partial<Record<C, readonly string[]>>;
  maxRecordBytes?: number;
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

  const iterator = parseRecords(file, encoding, maxRecordBytes)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new CsvFileError(file, 'no header row');
  if (first.value.error !== undefined) throw new CsvFileError(file, `unreadable header: ${first.value.error}`);
  const header = first.value.fields.map((cell, i) => (i === 0 ? cell.replace(/^\uFEFF/, '') : cell));
  const columns = mapColumns(file, header, options);

  async function* records(): AsyncGenerator<CsvRecord> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield { ...next.value, row: next.value.row - 1 } as CsvRecord;
    }
  }
  return { encoding, columns, width: header.length, records: records() };
}

function mapColumns<C extends string>(file: string, header: string[], options: OpenCsvOptions<C>): Record<C, number> {
  const columns = {} as Record<C, number>;
  const missing: string[] = [];
  for (const name of options.required) {
    const labels = [name, ...(options.aliases?.[name] ?? [])];
    const index = header.findIndex((cell) => labels.includes(cell));
    if (index < 0) missing.push(name);
    else columns[name] = index;
  }
  if (missing.length > 0) throw new CsvFileError(file, `missing required column ${missing.join(', ')}`);
  return columns;
}

/** Every record including the header, numbered from 1, with row errors in file order. */
async function* parseRecords(file: string, encoding: TextEncoding, maxRecordBytes: number): AsyncGenerator<CsvRecord> {
  let row = 0;
  const skipped: CsvRecord[] = [];
  const parser = pipeline(
    createReadStream(file, { highWaterMark: Math.min(64 * 1024, maxRecordBytes) }),
    new LineGuard(encoding, maxRecordBytes),
    parse(parseOptions(maxRecordBytes, skipped, () => ++row) as unknown as ParseOptions),
    // Errors reach the loop below through the parser stream, which pipeline destroys with them.
    () => undefined,
  );
  for await (const item of parser as AsyncIterable<NumberedRecord>) {
    while (skipped.length > 0 && skipped[0]!.row < item.row) yield skipped.shift()!;
    if (item.record.some((cell) => cell.includes(OVERSIZE_MARK))) {
      yield { row: item.row, error: `record longer than ${maxRecordBytes} bytes (or holds a NUL character)` };
    } else {
      yield { row: item.row, fields: item.record.map((cell) => cell.trim()) };
    }
  }
  yield* skipped;
}

function parseOptions(maxRecordBytes: number, skipped: CsvRecord[], nextRow: () => number): ParseOptions<NumberedRecord, string[]> {
  return {
    relax_column_count: true,
    // A stray quote inside a field is kept as text; strict quoting would swallow the next line.
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes * 16,
    // Both hooks run in file order, so numbering here keeps errors and records in sequence.
    on_skip: (error) => {
      skipped.push({ row: nextRow(), error: error?.message ?? 'unreadable record' });
      return undefined;
    },
    on_record: (record) => {
      const cells = record;
      if (cells.length === 1 && cells[0]!.trim() === '') return null;
      return { row: nextRow(), record: cells };
    },
  };
}

interface NumberedRecord {
  row: number;
  record: string[];
}
