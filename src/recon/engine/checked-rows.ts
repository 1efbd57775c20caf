import { CsvFileError, openCsv, readCsvPart, type CsvRecord } from '../../csv/read-csv.ts';
import type { TextEncoding } from '../../csv/encoding.ts';
import { checkRow, RECON_COLUMN_LABELS, RECON_COLUMNS, type FileIdentity, type RowCheck, type RowLayout } from '../../domain/reconciliation.ts';
import { splitPoint, type SplitRequest } from './file-split.ts';
import { RowBatchBuilder, type BuiltBatch } from './row-batch.ts';

export interface CheckedRows {
  encoding: TextEncoding;
  /** Where a CSV file's header put each column; null for a 3202 file (fixed fields, no header). */
  layout: RowLayout | null;
  /** The file's rows, checked, in file order; iterate once (leaving the loop early closes the file). */
  batches: AsyncIterable<BuiltBatch>;
  /** Where the rest of a split file begins, for another reader; undefined: `batches` are the whole file. */
  restFrom?: number | undefined;
}

/**
 * Opens a reconciliation file and checks its rows (checkRow) in batches. Returns the reason when
 * the whole file is to be rejected (encoding, header). With `split`, a large file's batches end at
 * `restFrom` (see splitPoint; checkedRowsFrom reads the rest); a file whose first part holds no
 * header is rejected for it, so a reader that splits confirms such a rejection by reading whole.
 */
export async function openCheckedRows(file: string, identity: FileIdentity, split?: SplitRequest): Promise<CheckedRows | { rejected: string }> {
  try {
    const end = split ? ((await splitPoint(file, split, true)) ?? undefined) : undefined;
    const csv = await openCsv(file, { required: RECON_COLUMNS, aliases: RECON_COLUMN_LABELS, end });
    const layout = { columns: csv.columns, width: csv.width };
    return { encoding: csv.encoding, layout, batches: checkedBatches(csv.batches, layout, identity), restFrom: end };
  } catch (error) {
    if (error instanceof CsvFileError) return { rejected: error.reason };
    throw error;
  }
}

/** The checked rows of a file from byte `start` (a line outside quotes) on, numbered from 1, as the file's header laid them out. */
export function checkedRowsFrom(file: string, identity: FileIdentity, start: number, encoding: TextEncoding, layout: RowLayout): AsyncIterable<BuiltBatch> {
  return checkedBatches(readCsvPart(file, encoding, start), layout, identity);
}

async function* checkedBatches(records: AsyncIterable<CsvRecord[]>, layout: RowLayout, identity: FileIdentity): AsyncGenerator<BuiltBatch> {
  let batch = new RowBatchBuilder();
  for await (const batchOfRecords of records) {
    for (const record of batchOfRecords) {
      const check: RowCheck = record.error !== undefined
        ? { valid: false, setlId: '', reasons: [record.error] }
        : checkRow(record.fields, layout, identity);
      batch.push(record.row, check);
      if (batch.full) {
        yield batch.build();
        batch = new RowBatchBuilder();
      }
    }
  }
  if (!batch.empty) yield batch.build();
}
