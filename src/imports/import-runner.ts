import path from 'node:path';
import type { Db } from '../db/client.ts';
import { openCsv, type CsvFile } from '../csv/read-csv.ts';
import { maskIdLike } from '../domain/cell-echo.ts';
import { logger } from '../logger.ts';
import type { RowFields } from './fields.ts';
import { RowError } from './row.error.ts';

export const IMPORT_KINDS = ['persons', 'accounts', 'credits', 'bindings', 'institutions', 'settlements'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
/** Every file read through the runner: the operator imports, and the tax bureau's receipts (handoff receipts). */
export type FileKind = ImportKind | 'receipts';

/** A validated row and its 1-based data row number. */
export interface ParsedRow<T> {
  row: number;
  value: T;
}

/** What writing did with one row: imported (inserted or changed), unchanged, or rejected with a reason. */
export type RowOutcome = 'imported' | 'unchanged' | RowError;

export interface ImportDefinition<C extends string, T, P = unknown> {
  kind: FileKind;
  description: string;
  /** Required header columns; other columns are ignored. */
  columns: readonly C[];
  /** Columns a file may lack (SPEC 9's premium_consent): their field reads as empty then, like an empty cell. */
  optionalColumns?: readonly C[];
  /**
   * Key columns of a kind where the last row of a key must win over the whole file before anything
   * is written (accounts: applying duplicates in turn would record adjustments that cancel out on
   * every re-import). Costs a first pass over the file; earlier duplicates count as unchanged. Other
   * upsert kinds get "last wins" from writing batches in file order.
   */
  lastWinsKey?: readonly C[];
  /** Rows per write (default 1000): one transaction and a handful of statements each. */
  batchSize?: number;
  /** Validates one record into a typed value; throws RowError naming the column. */
  parseRow(field: RowFields<C>): T;
  /**
   * Read-only lookups of a batch that no earlier batch can change, started as soon as the batch is
   * parsed, so they run while the previous batch is written. Must not lock or write anything.
   */
  prefetch?(db: Db, rows: readonly ParsedRow<T>[]): Promise<P>;
  /**
   * Writes rows (in file order) and says what happened to each, in the same order. `prefetched` is
   * the batch's prefetch, not awaited: a writer may read the lookups itself when it failed.
   */
  writeBatch(db: Db, rows: readonly ParsedRow<T>[], prefetched?: Promise<P>): Promise<RowOutcome[]>;
}

export interface RowProblem {
  row: number;
  /** Null when the record as a whole is wrong (unreadable, wrong column count). */
  column: string | null;
  reason: string;
}

export interface ImportSummary {
  /** Base name of the file, as in row error lines. */
  file: string;
  kind: FileKind;
  read: number;
  imported: number;
  unchanged: number;
  rejected: number;
  /** Up to MAX_LISTED_ERRORS rejected rows (the first found), sorted by row; `rejected` counts them all. */
  errors: RowProblem[];
}

export const MAX_LISTED_ERRORS = 1000;
/**
 * Pool size an import should be given: one connection writes batches in file order, the others
 * serve a kind's prefetch (settlements read a batch in four parts, and its institutions).
 */
export const IMPORT_CONNECTIONS = 6;
const DEFAULT_BATCH_SIZE = 1000;

export interface RunImportOptions {
  /** Called after each written batch with the number of rows read so far. */
  onProgress?: (read: number) => void;
}

/**
 * Streams a CSV file through a kind's row parser into batched writes (SPEC 2, 8). Bad rows are
 * reported and skipped; a whole-file problem (CsvFileError) throws before anything is written. The
 * next batch is parsed and prefetched while the previous one is written, but writes run one at a
 * time in file order, which money events and last-wins duplicates depend on.
 */
export async function runImport<C extends string, T, P>(
  db: Db,
  definition: ImportDefinition<C, T, P>,
  file: string,
  options: RunImportOptions = {},
): Promise<ImportSummary> {
  const csv = await openCsv(file, { required: definition.columns, optional: definition.optionalColumns });
  const lastRowOfKey = definition.lastWinsKey ? await lastRowsByKey(file, definition.columns, definition.lastWinsKey) : null;
  const batchSize = definition.batchSize ?? DEFAULT_BATCH_SIZE;
  const summary: ImportSummary = { file: path.basename(file), kind: definition.kind, read: 0, imported: 0, unchanged: 0, rejected: 0, errors: [] };
  const started = Date.now();

  const reject = (row: number, column: string | null, reason: string) => {
    summary.rejected++;
    // Reasons quote cells through quoteCell already; this catches any digits a message took from elsewhere.
    if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ row, column, reason: maskIdLike(reason) });
  };

  const write = async (batch: ParsedRow<T>[], prefetched: Promise<P> | undefined) => {
    const outcomes = await definition.writeBatch(db, batch, prefetched);
    if (outcomes.length !== batch.length) throw new Error(`${definition.kind}: writeBatch returned ${outcomes.length} outcomes for ${batch.length} rows`);
    outcomes.forEach((outcome, i) => {
      if (outcome === 'imported') summary.imported++;
      else if (outcome === 'unchanged') summary.unchanged++;
      else reject(batch[i]!.row, outcome.column, outcome.reason);
    });
    options.onProgress?.(summary.read);
  };

  let inFlight: Promise<void> = Promise.resolve();
  let batch: ParsedRow<T>[] = [];
  const flush = async () => {
    const full = batch;
    batch = [];
    const prefetched = definition.prefetch?.(db, full);
    // The writer decides what a failed prefetch means; until it looks, the rejection is not unhandled.
    prefetched?.catch(() => undefined);
    await inFlight;
    inFlight = write(full, prefetched);
    // Parsing goes on while this batch is written; a failure surfaces at the next await of inFlight.
    inFlight.catch(() => undefined);
  };

  for await (const records of csv.batches) {
    for (const record of records) {
      summary.read++;
      if (record.error !== undefined) {
        reject(record.row, null, record.error);
        continue;
      }
      const fields = record.fields;
      if (fields.length !== csv.width) {
        reject(record.row, null, `wrong column count: ${fields.length} fields, header has ${csv.width}`);
        continue;
      }
      let value: T;
      try {
        value = definition.parseRow((column) => fields[csv.columns[column]] ?? '');
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        reject(record.row, error.column, error.reason);
        continue;
      }
      if (lastRowOfKey && lastRowOfKey.get(keyOf(fields, csv, definition.lastWinsKey!)) !== record.row) {
        summary.unchanged++;
        continue;
      }
      batch.push({ row: record.row, value });
      if (batch.length >= batchSize) await flush();
    }
  }
  if (batch.length > 0) await flush();
  await inFlight;

  summary.errors.sort((a, b) => a.row - b.row);
  const { errors: _listed, ...counts } = summary;
  logger.info({ ...counts, ms: Date.now() - started }, 'import finished');
  return summary;
}

function keyOf<C extends string>(fields: string[], csv: Pick<CsvFile<C>, 'columns'>, key: readonly C[]): string {
  // \u0001 cannot occur in a valid key, so joined keys never collide.
  return key.length === 1 ? fields[csv.columns[key[0]!]]! : key.map((column) => fields[csv.columns[column]]).join('\u0001');
}

/**
 * First pass over an upsert file: the last row number of every key, so earlier duplicates can be
 * skipped. Only key cells are kept (a few dozen bytes per distinct key), never whole rows.
 */
async function lastRowsByKey<C extends string>(file: string, columns: readonly C[], key: readonly C[]): Promise<Map<string, number>> {
  const csv = await openCsv(file, { required: columns });
  const last = new Map<string, number>();
  for await (const records of csv.batches) {
    for (const record of records) {
      if (record.fields !== undefined && record.fields.length === csv.width) last.set(keyOf(record.fields, csv, key), record.row);
    }
  }
  return last;
}
