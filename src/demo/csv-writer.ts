import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes generated CSV fast, a line at a time with backpressure. Only for values the generator
 * makes itself (no commas, quotes or line breaks in them), so no quoting is needed.
 */
export class LineWriter {
  private readonly out: WriteStream;
  private buffer: string[] = [];

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    this.out = createWriteStream(path);
    this.buffer.push(header.join(','));
  }

  async row(cells: readonly (string | number)[]): Promise<void> {
    this.buffer.push(cells.join(','));
    if (this.buffer.length >= 2000) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}
