import path from 'node:path';
import type { TextEncoding } from '../../csv/encoding.ts';
import { readTabSeparated, type CsvRecord } from '../../csv/read-csv.ts';
import { checkDetailRow, DETAIL_FIELDS, matchedAnswerLine } from '../../domain/national-files.ts';
import type { FileIdentity, RowCheck } from '../../domain/reconciliation.ts';
import type { CheckedRows } from '../engine/checked-rows.ts';
import type { SplitRequest } from '../engine/file-split.ts';
import { RowBatchBuilder, type BuiltBatch } from '../engine/row-batch.ts';
import { plainFile, zipEntry, type DetailSource } from './detail-source.ts';

/**
 * Opens a 3202 detail file (SPEC 11) and checks its rows (checkDetailRow) in batches, each row with
 * its answer line as it reads when MATCHED. Whole-file rejections: a zip without exactly one .txt,
 * bytes neither UTF-8 nor GB18030, a first non-blank line without seven tab-separated fields.
 * With `split`, a large text's batches end at a line start past its share (`restFrom`; the rest is
 * detailRowsFrom's); a text whose first part holds no line at all is rejected for it, so a reader
 * that splits confirms such a rejection by reading whole.
 */
export async function openDetailRows(
  file: string, identity: FileIdentity, zipped: boolean, split?: SplitRequest,
): Promise<CheckedRows | { rejected: string }> {
  const source = zipped ? await zipEntry(file) : plainFile(file);
  if ('rejected' in source) return source;
  let records: AsyncIterator<CsvRecord[]> | undefined;
  try {
    const { encoding, splitAt } = await source.inspect(split);
    if (!encoding) throw new Rejection('cannot be decoded as UTF-8 or GB18030');
    records = readTabSeparated(await source.open(0, splitAt ?? undefined), encoding)[Symbol.asyncIterator]();
    let first: CsvRecord[] = [];
    while (first.length === 0) {
      const next = await records.next();
      if (next.done) throw new Rejection(`no line: a 3202 file lists its settlements, ${DETAIL_FIELDS.length} tab-separated fields each`);
      first = next.value;
    }
    const head = first[0]!;
    if (head.error !== undefined) throw new Rejection(`unreadable first line: ${head.error}`);
    if (head.fields.length !== DETAIL_FIELDS.length) {
      throw new Rejection(`first line has ${head.fields.length} tab-separated fields, ${DETAIL_FIELDS.length} expected (${DETAIL_FIELDS.join(', ')})`);
    }
    return { encoding, layout: null, batches: checkedBatches(first, records, identity, source), restFrom: splitAt ?? undefined };
  } catch (error) {
    await records?.return?.();
    await source.close();
    if (error instanceof Rejection) return { rejected: error.message };
    // A zip entry that cannot be inflated (encrypted, damaged, unsupported method) is a whole-file problem too.
    if (zipped) return { rejected: `cannot read the zip: ${(error as Error).message}` };
    throw error;
  }
}

/**
 * The checked rows of a 3202 file's text from byte `start` (a line start) on, numbered from 1: the
 * rest of a file whose first part another reader took (openDetailRows with a split). The file was
 * accepted whole by then, so what fails here is a fault, not a rejection.
 */
export async function* detailRowsFrom(
  file: string, identity: FileIdentity, zipped: boolean, start: number, encoding: TextEncoding,
): AsyncGenerator<BuiltBatch> {
  const source = zipped ? await zipEntry(file) : plainFile(file);
  if ('rejected' in source) throw new Error(`${path.basename(file)}: ${source.rejected}`);
  let records: AsyncIterator<CsvRecord[]>;
  try {
    records = readTabSeparated(await source.open(start), encoding)[Symbol.asyncIterator]();
  } catch (error) {
    await source.close();
    throw error;
  }
  yield* checkedBatches([], records, identity, source);
}

class Rejection extends Error {}

async function* checkedBatches(
  first: CsvRecord[], rest: AsyncIterator<CsvRecord[]>, identity: FileIdentity, source: DetailSource,
): AsyncGenerator<BuiltBatch> {
  let batch = new RowBatchBuilder(matchedAnswerLine);
  try {
    for (let records: CsvRecord[] | undefined = first; records; ) {
      for (const record of records) {
        const check: RowCheck = record.error !== undefined
          ? { valid: false, setlId: '', reasons: [record.error] }
          : checkDetailRow(record.fields, identity);
        batch.push(record.row, check, record.fields);
        if (batch.full) {
          yield batch.build();
          batch = new RowBatchBuilder(matchedAnswerLine);
        }
      }
      const next = await rest.next();
      records = next.done ? undefined : next.value;
    }
    if (!batch.empty) yield batch.build();
  } finally {
    await rest.return?.();
    await source.close();
  }
}
