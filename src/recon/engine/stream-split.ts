import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;

/**
 * Passes a text's bytes through unchanged and notes where a second reader could take over: the
 * start of the first line at or past byte `from` (as splitPoint does for a file). For bytes that
 * can only be streamed from their start, such as a zip entry's: the pass that must read them all
 * anyway (encoding detection) finds it on the way.
 */
export class LineStartAfter extends Transform {
  private seen = 0;
  private found: number | null = null;

  constructor(private readonly from: number) {
    super();
  }

  /** The line start, once every byte has passed; null when no line starts past `from`. */
  get lineStart(): number | null {
    return this.found !== null && this.found < this.seen ? this.found : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const at = this.seen;
    this.seen += chunk.length;
    if (this.found === null && this.seen > this.from) {
      const newline = chunk.indexOf(NEWLINE, Math.max(0, this.from - at));
      if (newline >= 0) this.found = at + newline + 1;
    }
    callback(null, chunk);
  }
}

/**
 * Bytes [first, until) of a stream: those before are dropped, and the stream ends at `until` (the
 * source, which goes on, is left to be destroyed with the pipeline).
 */
export class ByteRange extends Transform {
  private at = 0;

  constructor(
    private readonly first: number,
    private readonly until = Infinity,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const at = this.at;
    this.at += chunk.length;
    if (this.at <= this.first || at >= this.until) return callback();
    this.push(chunk.subarray(Math.max(0, this.first - at), Math.min(chunk.length, this.until - at)));
    if (this.at >= this.until) this.push(null);
    callback();
  }
}
