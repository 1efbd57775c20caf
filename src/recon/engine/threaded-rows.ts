import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CsvFileError } from '../../csv/read-csv.ts';
import type { TextEncoding } from '../../csv/encoding.ts';
import type { FileFormat, FileIdentity, RowLayout } from '../../domain/reconciliation.ts';
import { detailRowsFrom } from '../national/detail-rows.ts';
import { checkedRowsFrom } from './checked-rows.ts';
import { RestOfFile, type SplitRequest } from './file-split.ts';
import { RowBatch, type RowBatchData } from './row-batch.ts';

export interface ParseThreadInput {
  file: string;
  identity: FileIdentity;
  /** Which reader: our CSV, or a 3202 file (plain or zipped). */
  format: FileFormat;
  /** Batches the thread may post before the main thread has taken any. */
  ahead: number;
  /** Where the thread posts its ThreadMessages. */
  rows: MessagePort;
  /** Whether and where to split the file: the thread reads only the first part then (see openRowsInThread). */
  split: SplitRequest;
}

export type ThreadMessage =
  /** `restFrom`: where the part the thread does not read begins (a line start), when the file was split. */
  | { kind: 'opened'; encoding: TextEncoding; layout: RowLayout | null; restFrom: number | undefined }
  | { kind: 'rejected'; reason: string }
  | { kind: 'batch'; batch: RowBatchData }
  | { kind: 'end' }
  | { kind: 'failed'; name: string; message: string; reason?: string | undefined };

/**
 * Batches read ahead of the judging (about 15 MB at most, serialised; 30 MB for a 3202 file with its
 * answer lines), so the file's first rows are read while the day's settlements are loaded.
 */
const AHEAD = 50;
/** Files (a zip's: their text) from this size on are read in two parts at once (see openRowsInThread). */
const SPLIT_BYTES = 16 << 20;
/**
 * The thread's share of a split file. It reads ahead while the day's settlements load; the rest is
 * read on the main thread only once rows are judged, and between judging them: with this share both
 * finish at about the same time.
 */
export const THREAD_SHARE = 0.65;
/**
 * How much of the rest is read ahead of the judging. Most of the rest is read while the thread's
 * part is judged and waits for its turn: the more of it, the sooner a reconciliation ends, but with
 * the day's settlements and the thread's batches this is what brings a million-row file near 300 MB
 * (a 3202 file's rows, with their answer lines, take twice a CSV row's memory).
 */
const REST_AHEAD_BYTES = 24 << 20;

let threadCode: Promise<string> | undefined;

/**
 * The reading thread's code as one plain JavaScript file: the compiled bin ships it beside itself
 * (`npm run build`); run from the sources, it is bundled once per process. A thread that loaded the
 * TypeScript sources through the loader would cost tens of megabytes more.
 */
function parseThreadCode(): Promise<string> {
  threadCode ??= readFile(new URL('./parse-thread.cjs', import.meta.url), 'utf8').catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./parse-thread.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  });
  threadCode.catch(() => (threadCode = undefined));
  return threadCode;
}

export interface FileRows {
  encoding: TextEncoding;
  /** The file's rows, checked, in file order; iterate once. */
  batches: AsyncIterable<RowBatch>;
  /** Stops reading (when the batches were not read to the end). */
  close(): Promise<void>;
  /** Whether the file was read in two parts at once. */
  split: boolean;
}

/**
 * As openCheckedRows (openDetailRows for a 3202 file), with the reading (parsing, the line guard,
 * row checks) on a thread of its own, so it runs on another core while this one judges rows against
 * the ledger. Judging leaves this thread mostly idle, and parsing is what paces a reconciliation: so
 * a large file is split at a line start (see splitPoint; in a zip, LineStartAfter) and its rest read
 * here meanwhile. Rows still arrive exactly once, in file order, numbered as one reader would.
 */
export async function openRowsInThread(
  file: string, identity: FileIdentity, splitBytes = SPLIT_BYTES, format: FileFormat = 'csv',
): Promise<FileRows | { rejected: string }> {
  const split = { minBytes: splitBytes, share: THREAD_SHARE };
  const thread = new ReadingThread(await parseThreadCode(), { file, identity, format, ahead: AHEAD, split });
  const opened = await thread.inbox.take();
  if (opened.kind === 'rejected') {
    await thread.close();
    return { rejected: opened.reason };
  }
  if (opened.kind !== 'opened') {
    await thread.close();
    throw threadError(file, opened);
  }
  const { encoding, layout, restFrom } = opened;
  const restRows = (start: number) => format === 'csv'
    ? checkedRowsFrom(file, identity, start, encoding, layout!)
    : detailRowsFrom(file, identity, format === '3202.zip', start, encoding);
  let rest: RestOfFile | undefined;
  async function* batches(): AsyncGenerator<RowBatch> {
    // Started with the judging, not before: while the day's settlements load, the cores are taken.
    if (restFrom !== undefined) rest = new RestOfFile(restRows(restFrom), REST_AHEAD_BYTES);
    let last = 0;
    for (;;) {
      const message = await thread.inbox.take();
      if (message.kind === 'end') break;
      if (message.kind !== 'batch') throw threadError(file, message);
      thread.worker.postMessage(1);
      if (message.batch.size > 0) last = message.batch.rows[message.batch.size - 1]!;
      yield new RowBatch(message.batch);
    }
    // The thread's memory (its heap, tens of megabytes) is returned before the last batches are judged.
    await thread.close();
    // The rest's rows are numbered from 1: they follow the first part's last.
    for (let batch; rest && (batch = await rest.next());) {
      const { rows, size } = batch.data;
      for (let i = 0; i < size; i++) rows[i] = rows[i]! + last;
      yield batch;
    }
  }
  return {
    encoding,
    batches: batches(),
    close: async () => void (await Promise.all([thread.close(), rest?.close()])),
    split: restFrom !== undefined,
  };
}

/** One reading thread and the port its rows come in on. */
class ReadingThread {
  readonly worker: Worker;
  readonly inbox: Inbox;
  private readonly rows: MessagePort;

  constructor(code: string, input: Omit<ParseThreadInput, 'rows'>) {
    const { port1, port2 } = new MessageChannel();
    this.rows = port1;
    this.worker = new Worker(code, {
      eval: true,
      execArgv: [],
      workerData: { ...input, rows: port2 } satisfies ParseThreadInput,
      transferList: [port2],
      // Parsing leaves only short-lived garbage.
      resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 },
    });
    this.inbox = new Inbox(port1, this.worker);
  }

  async close(): Promise<void> {
    this.rows.close();
    await this.worker.terminate();
  }
}

function threadError(file: string, message: ThreadMessage): Error {
  if (message.kind !== 'failed') return new Error(`reading thread: unexpected ${message.kind}`);
  if (message.name === 'CsvFileError' && message.reason !== undefined) return new CsvFileError(file, message.reason);
  return new Error(message.message);
}

/**
 * The thread's messages, taken from their port only when wanted: until then they stay serialised
 * (about 60 bytes a row), not JavaScript strings that would live through collections on this heap.
 * The thread says on its own port when it has posted something.
 */
class Inbox {
  private wake: (() => void) | undefined;
  private stopped: ThreadMessage | undefined;

  constructor(
    private readonly rows: MessagePort,
    worker: Worker,
  ) {
    const notify = () => this.wake?.();
    worker.on('message', notify);
    worker.on('error', (error) => {
      this.stopped ??= { kind: 'failed', name: error.name, message: error.message };
      notify();
    });
    worker.on('exit', (code) => {
      this.stopped ??= { kind: 'failed', name: 'Error', message: `reading thread stopped (exit code ${code})` };
      notify();
    });
  }

  async take(): Promise<ThreadMessage> {
    for (;;) {
      const received = receiveMessageOnPort(this.rows);
      if (received) return received.message as ThreadMessage;
      if (this.stopped) return this.stopped;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
