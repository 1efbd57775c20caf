import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { build } from 'esbuild';
import { CsvFileError } from '../csv/read-csv.ts';
import type { TextEncoding } from '../csv/encoding.ts';
import type { FileIdentity } from '../domain/reconciliation.ts';
import { RowBatch, type RowBatchData } from './row-batch.ts';

export interface ParseThreadInput {
  file: string;
  identity: FileIdentity;
  /** Batches the thread may post before the main thread has taken any. */
  ahead: number;
  /** Where the thread posts its ThreadMessages. */
  rows: MessagePort;
}

export type ThreadMessage =
  | { kind: 'opened'; encoding: TextEncoding }
  | { kind: 'rejected'; reason: string }
  | { kind: 'batch'; batch: RowBatchData }
  | { kind: 'end' }
  | { kind: 'failed'; name: string; message: string; reason?: string | undefined };

/**
 * Batches read ahead of the judging (about 15 MB at most, serialised), so the file's first rows are
 * read while the day's settlements are loaded.
 */
const AHEAD = 50;

let threadCode: Promise<string> | undefined;

/**
 * The reading thread's code as one plain JavaScript file, bundled once per process: a thread that
 * loaded the TypeScript sources through the loader would cost tens of megabytes more.
 */
function parseThreadCode(): Promise<string> {
  threadCode ??= build({
    entryPoints: [fileURLToPath(new URL('./parse-thread.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  threadCode.catch(() => (threadCode = undefined));
  return threadCode;
}

export interface FileRows {
  encoding: TextEncoding;
  /** The file's rows, checked, in file order; iterate once. */
  batches: AsyncIterable<RowBatch>;
  /** Stops reading (when the batches were not read to the end). */
  close(): Promise<void>;
}

/**
 * As openCheckedRows, with the reading (csv-parse, the line guard, row checks) on a thread of its
 * own, so it runs on the second core while this one judges rows against the ledger.
 */
export async function openRowsInThread(file: string, identity: FileIdentity): Promise<FileRows | { rejected: string }> {
  const { port1: rows, port2 } = new MessageChannel();
  const worker = new Worker(await parseThreadCode(), {
    eval: true,
    execArgv: [],
    workerData: { file, identity, ahead: AHEAD, rows: port2 } satisfies ParseThreadInput,
    transferList: [port2],
    // Parsing leaves only short-lived garbage.
    resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 },
  });
  const inbox = new Inbox(rows, worker);
  const close = async () => {
    rows.close();
    await worker.terminate();
  };

  const first = await inbox.take();
  if (first.kind === 'rejected') {
    await close();
    return { rejected: first.reason };
  }
  if (first.kind !== 'opened') {
    await close();
    throw threadError(file, first);
  }
  async function* batches(): AsyncGenerator<RowBatch> {
    for (;;) {
      const message = await inbox.take();
      if (message.kind === 'end') {
        // The thread's memory (its heap, tens of megabytes) is returned before the last batches are judged.
        await close();
        return;
      }
      if (message.kind !== 'batch') throw threadError(file, message);
      worker.postMessage(1);
      yield new RowBatch(message.batch);
    }
  }
  return { encoding: first.encoding, batches: batches(), close };
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
