import { Transform, type TransformCallback } from 'node:stream';

/** Marks a physical line that was too long to keep; the reader turns records holding it into row errors. */
export const OVERSIZE_MARK = '\u0000';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Bounds memory for hostile files (a 10 MB cell, a file without line breaks). csv-parse's own
 * max_record_size stops parsing for good after the first oversized record, losing every later row,
 * so lines longer than `maxLineBytes` are replaced here, before parsing, by a marker. The marker
 * keeps the line's quote parity so quoted fields spanning lines still end where they did.
 *
 * Works on bytes: in UTF-8 and in GB18030 a newline or quote byte is never part of a multi-byte
 * character, so nothing is decoded here and UTF-8 goes to csv-parse as it was read.
 */
export class LineGuard extends Transform {
  private tail: Buffer = EMPTY;
  private skipping = false;
  private skippedQuotes = 0;

  /** Chunks must not be longer than `maxLineBytes`. */
  constructor(private readonly maxLineBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let bytes = chunk;
    if (this.skipping) {
      const newline = bytes.indexOf(NEWLINE);
      this.skippedQuotes += countQuotes(newline < 0 ? bytes : bytes.subarray(0, newline));
      if (newline < 0) return callback();
      this.push(this.marker(true));
      this.skipping = false;
      bytes = bytes.subarray(newline + 1);
    }
    if (this.tail.length > 0) bytes = Buffer.concat([this.tail, bytes]);
    // Only the line carried over from earlier chunks can be longer than one chunk.
    const firstNewline = bytes.indexOf(NEWLINE);
    if (firstNewline > this.maxLineBytes) {
      this.skippedQuotes = countQuotes(bytes.subarray(0, firstNewline));
      this.push(this.marker(true));
      bytes = bytes.subarray(firstNewline + 1);
    }
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline >= 0) this.push(bytes.subarray(0, lastNewline + 1));
    this.tail = bytes.subarray(lastNewline + 1);
    if (this.tail.length > this.maxLineBytes) {
      this.skipping = true;
      this.skippedQuotes = countQuotes(this.tail);
      this.tail = EMPTY;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.skipping) this.push(this.marker(false));
    else if (this.tail.length > 0) this.push(this.tail);
    callback();
  }

  private marker(newline: boolean): Buffer {
    return Buffer.from(`${OVERSIZE_MARK}${this.skippedQuotes % 2 === 1 ? '"' : ''}${newline ? '\n' : ''}`);
  }
}

function countQuotes(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(QUOTE); i >= 0; i = bytes.indexOf(QUOTE, i + 1)) count++;
  return count;
}
