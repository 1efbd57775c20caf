import { createReadStream } from 'node:fs';

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

async function decodesCleanly(path: string, encoding: TextEncoding): Promise<boolean> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      decoder.decode(chunk as Buffer, { stream: true });
    }
    decoder.decode();
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}
