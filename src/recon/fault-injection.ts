import { appendFile } from 'node:fs/promises';
import { env } from '../config/env.ts';
import { logger } from '../logger.ts';

let appended = false;

/**
 * An institution still writing its file while it is reconciled, made deterministic for tests: with
 * FAULT_RECON_APPEND_AFTER_HASH set, its text is appended to the first file of the process right
 * after the file was hashed and before its rows are read.
 */
export async function reconFileHashed(file: string): Promise<void> {
  const text = env().FAULT_RECON_APPEND_AFTER_HASH;
  if (appended || text === '') return;
  appended = true;
  logger.warn({ file, bytes: Buffer.byteLength(text) }, 'fault injection: reconciliation file appended to after hashing');
  await appendFile(file, text);
}
