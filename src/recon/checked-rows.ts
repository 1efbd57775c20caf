import { CsvFileError, openCsv } from '../csv/read-csv.ts';
import type { TextEncoding } from '../csv/encoding.ts';
import { checkRow, RECON_COLUMN_LABELS, RECON_COLUMNS, type FileIdentity, type RowCheck } from '../domain/reconciliation.ts';
import { compactHeap } from './heap.ts';
import { RowBatch } from './row-batch.ts';

export interface CheckedRows {
  encoding: TextEncoding;
  /** The file's rows, checked, in file order; iterate once. */
  batches: AsyncIterable<RowBatch>;
  /** Stops reading (when the batches were not read to the end). */
  close(): Promise<void>;
}

/** Collecting now and then keeps the heap near its live size (see compactHeap). */
const COMPACT_EVERY = 50_000;

/**
 * Opens a reconciliation file and checks its rows (checkRow) in batches. Returns the reason when
 * the whole file is to be rejected (encoding, header).
 */
export async function openCheckedRows(file: string, identity: FileIdentity): Promise<CheckedRows | { rejected: string }> {
  let csv;
  try {
    csv = await openCsv(file, { required: RECON_COLUMNS, aliases: RECON_COLUMN_LABELS });
  } catch (error) {
    if (error instanceof CsvFileError) return { rejected: error.reason };
    throw error;
  }
  const layout = { columns: csv.columns, width: csv.width };
  const source = csv.batches[Symbol.asyncIterator]();
  async function* batches(): AsyncGenerator<RowBatch> {
    let batch = new RowBatch();
    let rows = 0;
    let nextCompaction = COMPACT_EVERY;
    for await (const records of { [Symbol.asyncIterator]: () => source }) {
      for (const record of records) {
        const check: RowCheck = record.error !== undefined
          ? { valid: false, setlId: '', reasons: [record.error] }
          : checkRow(record.fields, layout, identity);
        batch.push(record.row, check);
        if (batch.full) {
          yield batch;
          batch = new RowBatch();
        }
      }
      rows += records.length;
      if (rows >= nextCompaction) {
        nextCompaction += COMPACT_EVERY;
        compactHeap();
      }
    }
    if (batch.size > 0) yield batch;
  }
  return { encoding: csv.encoding, batches: batches(), close: async () => void (await source.return?.()) };
}
