import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { detectEncoding, detectStreamEncoding, type TextEncoding } from '../../csv/encoding.ts';
import { splitPoint, type SplitRequest } from '../engine/file-split.ts';
import { ByteRange, LineStartAfter } from '../engine/stream-split.ts';

/** The text of a 3202 file: the file itself, or the one text file inside its zip. */
export interface DetailSource {
  /** The text's bytes [start, end) afresh (a zip entry is inflated as it is read, never whole). */
  open(start?: number, end?: number): Promise<Readable>;
  /**
   * Its encoding (null: neither UTF-8 nor GB18030) and, when `split` is asked for, where a second
   * reader can take over: the start of the first line past the share (null: read it whole).
   */
  inspect(split?: SplitRequest): Promise<{ encoding: TextEncoding | null; splitAt: number | null }>;
  /** Stops every stream it opened; resolves once the file is closed. */
  close(): Promise<void>;
}

export function plainFile(file: string): DetailSource {
  const opened: ReadStream[] = [];
  return {
    async open(start = 0, end) {
      const stream = createReadStream(file, { highWaterMark: 64 * 1024, start, end: end === undefined ? undefined : end - 1 });
      opened.push(stream);
      return stream;
    },
    inspect: async (split) => ({ encoding: await detectEncoding(file), splitAt: split ? await splitPoint(file, split, false) : null }),
    async close() {
      await Promise.all(opened.map((stream) => (stream.closed ? undefined : once(stream.destroy(), 'close'))));
    },
  };
}

/** The single .txt inside a zip (directories and other files are ignored), or why there is none to read. */
export async function zipEntry(file: string): Promise<DetailSource | { rejected: string }> {
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
    await closeZip(zip);
    return { rejected: `not a readable zip file: ${(error as Error).message}` };
  }
  const texts = entries.filter((e) => !e.fileName.endsWith('/') && e.fileName.toLowerCase().endsWith('.txt'));
  if (texts.length !== 1) {
    await closeZip(zip);
    return { rejected: `the zip holds ${texts.length} .txt files, exactly one expected` };
  }
  const entry = texts[0]!;
  const opened: Readable[] = [];
  const inflated = () => new Promise<Readable>((resolve, reject) => {
    // yauzl's own inflater works in 16 KB chunks, which halves the speed of inflating a large entry:
    // a deflated one is read raw and inflated here. yauzl reads any other (stored, or refused).
    const raw = entry.compressionMethod === DEFLATE && !entry.isEncrypted();
    zip.openReadStream(entry, raw ? { decodeFileData: false } : {}, (error, stream) => {
      if (error) return reject(error);
      opened.push(stream);
      if (!raw) return resolve(stream);
      const text = pipeline(stream, createInflateRaw({ chunkSize: INFLATE_CHUNK }), new DeclaredSize(entry.uncompressedSize), () => undefined);
      opened.push(text);
      resolve(text);
    });
  });
  return {
    open: async (start = 0, end) => (start > 0 || end !== undefined ? pipeline(await inflated(), new ByteRange(start, end), () => undefined) : inflated()),
    async inspect(split) {
      // A deflate stream cannot be entered in its middle: the split is found while the encoding is
      // checked, which inflates every byte anyway, and the second reader inflates and drops the bytes before it.
      const from = split && entry.uncompressedSize >= split.minBytes ? Math.floor(entry.uncompressedSize * split.share) : null;
      let finder: LineStartAfter | undefined;
      const encoding = await detectStreamEncoding(async () => {
        const stream = await inflated();
        if (from === null) return stream;
        // The last pass is the one that read every byte, when the encoding is known.
        finder = new LineStartAfter(from);
        return pipeline(stream, finder, () => undefined);
      });
      return { encoding, splitAt: encoding && finder ? finder.lineStart : null };
    },
    async close() {
      if (!zip.isOpen) return;
      // The file is closed once the zip and every stream it opened let go of it (destroying a yauzl stream does so at once).
      for (const stream of opened) stream.destroy();
      await closeZip(zip);
    },
  };
}

const DEFLATE = 8;
const INFLATE_CHUNK = 256 * 1024;

/** Fails the stream when the inflated bytes are more or fewer than the size the zip declares. */
class DeclaredSize extends Transform {
  private seen = 0;

  constructor(private readonly declared: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.declared) return done(new Error(`inflates to more than the ${this.declared} bytes the zip declares`));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.seen === this.declared ? null : new Error(`inflates to ${this.seen} bytes, the zip declares ${this.declared}`));
  }
}

async function closeZip(zip: yauzl.ZipFile): Promise<void> {
  const closed = once(zip, 'close');
  zip.close();
  await closed;
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
