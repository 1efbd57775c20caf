import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

/** Marks a physical line that was too long to keep; the reader turns records holding it into row errors. */
export const OVERSIZE_MARK = '\u0000';

/**
 * Bounds memory for hostile files (a 10 MB cell, a file without line breaks). csv-parse's own
 * max_record_size stops parsing for good after the first oversized record, losing every later row,
 * so lines longer than `maxLineLength` characters are replaced here, before parsing, by a marker. The marker
 * keeps the line's quote parity so quoted fields spanning lines still end where they did.
 */
export class LineGuard extends Transform {
  private tail = '';
  private skipping = false;
  private skippedQuotes = 0;

  private readonly decoder: TextDecoder;

  /** Decodes bytes (already validated) into text. Chunks must not be longer than `maxLineLength`. */
  constructor(
    encoding: string,
    private readonly maxLineLength: number,
  ) {
    super();
    this.decoder = new TextDecoder(encoding);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.skipping) {
      const newline = text.indexOf('\n');
      this.skippedQuotes += countQuotes(newline < 0 ? text : text.slice(0, newline));
      if (newline < 0) return callback();
      this.push(this.marker() + '\n');
      this.skipping = false;
      text = text.slice(newline + 1);
    }
    text = this.tail + text;
    // Only the line carried over from earlier chunks can be longer than one chunk.
    const firstNewline = text.indexOf('\n');
    if (firstNewline > this.maxLineLength) {
      this.skippedQuotes = countQuotes(text.slice(0, firstNewline));
      this.push(this.marker() + '\n');
      text = text.slice(firstNewline + 1);
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline >= 0) this.push(text.slice(0, lastNewline + 1));
    this.tail = text.slice(lastNewline + 1);
    if (this.tail.length > this.maxLineLength) {
      this.skipping = true;
      this.skippedQuotes = countQuotes(this.tail);
      this.tail = '';
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.tail += this.decoder.decode();
    if (this.skipping) this.push(this.marker());
    else if (this.tail) this.push(this.tail);
    callback();
  }

  private marker(): string {
    return this.skippedQuotes % 2 === 1 ? `${OVERSIZE_MARK}"` : OVERSIZE_MARK;
  }
}

function countQuotes(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) count++;
  return count;
}
