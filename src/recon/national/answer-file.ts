import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes an answer file whole or not at all: into a temporary file beside it, renamed when complete.
 * `from`: a file whose content comes first (copied, not read into memory).
 */
export async function writeAnswerFile(
  target: string, fill: (write: (text: string) => Promise<void>) => Promise<void>, from?: string,
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp`;
  if (from !== undefined) await copyFile(from, temporary);
  const stream = createWriteStream(temporary, { flags: from === undefined ? 'w' : 'a' });
  try {
    await fill(async (text) => {
      if (!stream.write(text)) await once(stream, 'drain');
    });
    stream.end();
    await once(stream, 'finish');
    await rename(temporary, target);
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
