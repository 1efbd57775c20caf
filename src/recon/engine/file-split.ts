import { open, type FileHandle } from 'node:fs/promises';
import { RowBatch, type BuiltBatch } from './row-batch.ts';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
/** How far past the split a line may end and the file still be split. */
const SPLIT_SEARCH = 64 * 1024;

/** When and where a text is read in two parts at once. */
export interface SplitRequest {
  /** Texts shorter than this are read whole. */
  minBytes: number;
  /** The first part's share of the text: it ends at the first line start past it. */
  share: number;
}

/**
 * Where a second reader can take over a file of at least `minBytes`: the start of the first line
 * past `share` of it. In a `quoted` file (our CSV) only when no quote character comes before it, so
 * that it cannot lie inside a quoted field (which may hold line breaks); a 3202 file knows no
 * quoting, so every line start is one. Null: read the file whole. Line breaks and quotes are these
 * bytes in UTF-8 and GB18030 alike, never part of another character.
 */
export async function splitPoint(file: string, { minBytes, share }: SplitRequest, quoted: boolean): Promise<number | null> {
  let handle: FileHandle;
  try {
    handle = await open(file);
  } catch {
    // The reader says why the file cannot be read.
    return null;
  }
  try {
    const { size } = await handle.stat();
    if (size < minBytes || size < 2) return null;
    const buffer = Buffer.allocUnsafe(1 << 20);
    const from = Math.floor(size * share);
    const near = await handle.read(buffer, 0, SPLIT_SEARCH, from);
    const newline = buffer.subarray(0, near.bytesRead).indexOf(NEWLINE);
    const split = from + newline + 1;
    if (newline < 0 || split >= size) return null;
    for (let at = 0; quoted && at < split;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, split - at), at);
      if (bytesRead === 0 || buffer.subarray(0, bytesRead).includes(QUOTE)) return null;
      at += bytesRead;
    }
    return split;
  } finally {
    await handle.close();
  }
}

/**
 * The rest of a split file, read and checked on this thread in the background, at most `aheadBytes`
 * of batches ahead of `next`: while the first part's rows are judged, this thread mostly waits for
 * them. Rows are numbered from 1.
 */
export class RestOfFile {
  private readonly ready: RowBatch[] = [];
  private readyBytes = 0;
  private finished = false;
  private closed = false;
  private failure: unknown;
  private wakeTaker: (() => void) | undefined;
  private wakeReader: (() => void) | undefined;
  private readonly reading: Promise<void>;

  /** `batches`: the rest's checked rows (checkedRowsFrom, detailRowsFrom); leaving their loop closes the file. */
  constructor(batches: AsyncIterable<BuiltBatch>, private readonly aheadBytes: number) {
    this.reading = this.read(batches);
  }

  private async read(batches: AsyncIterable<BuiltBatch>): Promise<void> {
    try {
      for await (const batch of batches) {
        const ready = new RowBatch(batch.data);
        this.ready.push(ready);
        this.readyBytes += ready.bytes;
        this.wakeTaker?.();
        while (this.readyBytes >= this.aheadBytes && !this.closed) await new Promise<void>((resolve) => (this.wakeReader = resolve));
        if (this.closed) break;
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.finished = true;
      this.wakeTaker?.();
    }
  }

  /** The next batch, or null after the last. */
  async next(): Promise<RowBatch | null> {
    for (;;) {
      const batch = this.ready.shift();
      if (batch) {
        this.readyBytes -= batch.bytes;
        this.wakeReader?.();
        return batch;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.finished) return null;
      await new Promise<void>((resolve) => (this.wakeTaker = resolve));
    }
  }

  /** Stops reading and closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    this.ready.length = 0;
    this.readyBytes = 0;
    this.wakeReader?.();
    await this.reading;
  }
}
