import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

export type TextEncoding = 'utf-8' | 'gb18030';

/**
 * Chinese systems export CSV in UTF-8 (often with a BOM) or GB18030/GBK. Validating UTF-8 is cheap
 * and GB18030 accepts almost any byte sequence, so UTF-8 is tried first over the whole file, then
 * GB18030 with a fatal decoder, so no replacement character is ever stored. Null: neither.
 */
export async function detectEncoding(path: string): Promise<TextEncoding | null> {
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    if (await decodesCleanly(path, encoding)) return encoding;
  }
  return null;
}

const CHUNK = 1 << 20;

/**
 * Reads through one reused buffer (a stream would allocate a fresh chunk per read) and checks the
 * bytes in place: decoding a 100 MB file only to drop the text would grow the heap by about as
 * much before the collector catches up. GB18030, the rare case, goes through a fatal decoder.
 */
async function decodesCleanly(path: string, encoding: TextEncoding): Promise<boolean> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const buffer = Buffer.allocUnsafe(CHUNK);
  const handle = await open(path, 'r');
  try {
    // Bytes of a character the previous read cut off, moved to the buffer's start.
    let carried = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK - carried);
      const end = carried + bytesRead;
      if (encoding === 'utf-8') {
        carried = bytesRead === 0 ? 0 : incompleteTail(buffer.subarray(0, end));
        if (!isUtf8(buffer.subarray(0, end - carried))) return false;
        buffer.copyWithin(0, end - carried, end);
      } else {
        decoder.decode(buffer.subarray(0, end), { stream: true });
      }
      if (bytesRead === 0) break;
    }
    if (encoding !== 'utf-8') decoder.decode();
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * As detectEncoding, for bytes that can only be streamed (a zip entry's, inflated as they are read):
 * `open` gives them afresh for each encoding tried.
 */
export async function detectStreamEncoding(open: () => Promise<Readable>): Promise<TextEncoding | null> {
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    if (await streamDecodesCleanly(await open(), encoding)) return encoding;
  }
  return null;
}

async function streamDecodesCleanly(stream: Readable, encoding: TextEncoding): Promise<boolean> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  // Bytes of a character the previous chunk cut off.
  let carried: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (encoding !== 'utf-8') {
        decoder.decode(chunk, { stream: true });
        continue;
      }
      const bytes = carried.length > 0 ? Buffer.concat([carried, chunk]) : chunk;
      const cut = bytes.length - incompleteTail(bytes);
      if (!isUtf8(bytes.subarray(0, cut))) return false;
      carried = Buffer.from(bytes.subarray(cut));
    }
    if (encoding === 'utf-8') return carried.length === 0;
    decoder.decode();
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  } finally {
    stream.destroy();
  }
}

/** How many bytes at the end of `bytes` begin a UTF-8 character that does not end there. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Decodes validated bytes of a non-UTF-8 encoding into text for csv-parse (which decodes only UTF-8 itself). */
export class TextDecoding extends Transform {
  private readonly decoder: TextDecoder;

  constructor(encoding: string) {
    super();
    this.decoder = new TextDecoder(encoding);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.decoder.decode(chunk, { stream: true }));
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.decoder.decode();
    callback(null, rest === '' ? undefined : rest);
  }
}
