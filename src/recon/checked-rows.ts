import { CsvFileError, openCsv, type CsvFile } from '../csv/read-csv.ts';
import type { TextEncoding } from '../csv/encoding.ts';
import { checkRow, RECON_COLUMN_LABELS, RECON_COLUMNS, type FileIdentity, type ReconColumn, type RowCheck } from '../domain/reconciliation.ts';
import { RowBatchBuilder, type BuiltBatch } from './row-batch.ts';

export interface CheckedRows {
  encoding: TextEncoding;
  /** The file's rows, checked, in file order; iterate once (leaving the loop early closes the file). */
  batches: AsyncIterable<BuiltBatch>;
}

/**
 * Opens a reconciliation file and checks its rows (checkRow) in batches. Returns the reason when
 * the whole file is to be rejected (encoding, header).
 */
export async function openCheckedRows(file: string, identity: FileIdentity): Promise<CheckedRows | { rejected: string }> {
  let csv: CsvFile<ReconColumn>;
  try {
    csv = await openCsv(file, { required: RECON_COLUMNS, aliases: RECON_COLUMN_LABELS });
  } catch (error) {
    if (error instanceof CsvFileError) return { rejected: error.reason };
    throw error;
  }
  const layout = { columns: csv.columns, width: csv.width };
  async function* batches(): AsyncGenerator<BuiltBatch> {
    let batch = new RowBatchBuilder();
    for await (const records of csv.batches) {
      for (const record of records) {
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
  return { encoding: csv.encoding, batches: batches() };
}
