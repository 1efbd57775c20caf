import { open } from 'node:fs/promises';

export type TextEncoding = 'utf-8' | 'gb18030';

/**
 * Chinese systems export CSV in UTF-8 (often with a BOM) or GB18030/GBK. Validating UTF-8 is cheap
 * and GB18030 accepts almost any byte sequence, so UTF-8 is tried first over the whole file, then
 * GB18030; both with fatal decoders, so no replacement character is ever stored. Null: neither.
 */
export async function detectEncoding(path: string): Promise<TextEncoding | null> {
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    if (await decodesCleanly(path, encoding)) return encoding;
  }
  return null;
}

/**
 * Reads through one reused buffer: a stream would allocate a fresh 1 MB chunk per read, and for a
 * 100 MB file the allocator keeps most of that memory after it is freed.
 */
async function decodesCleanly(path: string, encoding: TextEncoding): Promise<boolean> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const buffer = Buffer.allocUnsafe(1 << 20);
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length);
      if (bytesRead === 0) break;
      decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
    }
    decoder.decode();
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  } finally {
    await handle.close();
  }
}
