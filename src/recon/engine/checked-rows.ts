import { CsvFileError, openCsv, readCsvPart, type CsvRecord } from '../../csv/read-csv.ts';
import type { TextEncoding } from '../../csv/encoding.ts';
import { checkRow, RECON_COLUMN_LABELS, RECON_COLUMNS, type FileIdentity, type RowCheck, type RowLayout } from '../../domain/reconciliation.ts';
import { RowBatchBuilder, type BuiltBatch } from './row-batch.ts';

export interface CheckedRows {
  encoding: TextEncoding;
  layout: RowLayout;
  /** The file's rows, checked, in file order; iterate once (leaving the loop early closes the file). */
  batches: AsyncIterable<BuiltBatch>;
}

/**
 * Opens a reconciliation file and checks its rows (checkRow) in batches. Returns the reason when
 * the whole file is to be rejected (encoding, header). `end`: reads bytes [0, end) only (see
 * checkedRowsFrom for the rest).
 */
export async function openCheckedRows(file: string, identity: FileIdentity, end?: number): Promise<CheckedRows | { rejected: string }> {
  try {
    const csv = await openCsv(file, { required: RECON_COLUMNS, aliases: RECON_COLUMN_LABELS, end });
    const layout = { columns: csv.columns, width: csv.width };
    return { encoding: csv.encoding, layout, batches: checkedBatches(csv.batches, layout, identity) };
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
