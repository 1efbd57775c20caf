import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { detectEncoding, detectStreamEncoding, type TextEncoding } from '../../csv/encoding.ts';
import { readTabSeparated, type CsvRecord } from '../../csv/read-csv.ts';
import { checkDetailRow, DETAIL_FIELDS, matchedAnswerLine } from '../../domain/national-files.ts';
import type { FileIdentity, RowCheck } from '../../domain/reconciliation.ts';
import type { CheckedRows } from '../engine/checked-rows.ts';
import { RowBatchBuilder, type BuiltBatch } from '../engine/row-batch.ts';

/** The bytes of a 3202 file: the file itself, or the one text file inside its zip. */
interface DetailSource {
  /** The bytes afresh from the start (a zip entry is inflated as it is read, never whole). */
  open(): Promise<Readable>;
  encoding(): Promise<TextEncoding | null>;
  close(): void;
}

/**
 * Opens a 3202 detail file (SPEC 11) and checks its rows (checkDetailRow) in batches, each row with
 * its answer line as it reads when MATCHED. Whole-file rejections: a zip without exactly one .txt,
 * bytes neither UTF-8 nor GB18030, a first non-blank line without seven tab-separated fields.
 */
export async function openDetailRows(file: string, identity: FileIdentity, zipped: boolean): Promise<CheckedRows | { rejected: string }> {
  const source = zipped ? await zipEntry(file) : plainFile(file);
  if ('rejected' in source) return source;
  let records: AsyncIterator<CsvRecord[]> | undefined;
  try {
    const encoding = await source.encoding();
    if (!encoding) throw new Rejection('cannot be decoded as UTF-8 or GB18030');
    records = readTabSeparated(await source.open(), encoding)[Symbol.asyncIterator]();
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
    return { encoding, layout: null, batches: checkedBatches(first, records, identity, source) };
  } catch (error) {
    await records?.return?.();
    source.close();
    if (error instanceof Rejection) return { rejected: error.message };
    // A zip entry that cannot be inflated (encrypted, damaged, unsupported method) is a whole-file problem too.
    if (zipped) return { rejected: `cannot read the zip: ${(error as Error).message}` };
    throw error;
  }
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
    source.close();
  }
}

function plainFile(file: string): DetailSource {
  return {
    open: async () => createReadStream(file, { highWaterMark: 64 * 1024 }),
    encoding: () => detectEncoding(file),
    close: () => undefined,
  };
}

/** The single .txt inside a zip (directories and other files are ignored), or why there is none to read. */
async function zipEntry(file: string): Promise<DetailSource | { rejected: string }> {
  let zip: yauzl.ZipFile;
  let entries: yauzl.Entry[];
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (error) {
    return { rejected: `not a readable zip file: ${(error as Error).message}` };
  }
  try {
    entries = await listEntries(zip);
  } catch (error) {
    zip.close();
    return { rejected: `not a readable zip file: ${(error as Error).message}` };
  }
  const texts = entries.filter((e) => !e.fileName.endsWith('/') && e.fileName.toLowerCase().endsWith('.txt'));
  if (texts.length !== 1) {
    zip.close();
    return { rejected: `the zip holds ${texts.length} .txt files, exactly one expected` };
  }
  const entry = texts[0]!;
  const open = () => new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
  return { open, encoding: () => detectStreamEncoding(open), close: () => zip.close() };
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}
