/**
 * The reading thread's entry point (see threaded-rows.ts): opens one reconciliation file, decides
 * whether it is split (reading only its first part then), checks its rows and posts them in
 * batches, no more than the main thread has made room for. Bundled to plain JavaScript before it
 * is started, so the thread needs no TypeScript loader. It stays up (listening for more room) until
 * the main thread ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCheckedRows } from './checked-rows.ts';
import { openDetailRows } from '../national/detail-rows.ts';
import type { SplitRequest } from './file-split.ts';
import type { ParseThreadInput, ThreadMessage } from './threaded-rows.ts';

const control = parentPort!;
const { file, identity, format, ahead, rows, split } = workerData as ParseThreadInput;
let room = ahead;
let wake: (() => void) | undefined;
control.on('message', (more: number) => {
  room += more;
  wake?.();
});

function post(message: ThreadMessage, transfer: ArrayBuffer[] = []): void {
  rows.postMessage(message, transfer);
  control.postMessage(null);
}

const open = (asked: SplitRequest | undefined) => format === 'csv'
  ? openCheckedRows(file, identity, asked)
  : openDetailRows(file, identity, format === '3202.zip', asked);

async function read(): Promise<void> {
  let opened = await open(split);
  // Rejected as one reader would reject it: a first line or header may lie past the first part.
  if ('rejected' in opened && split) opened = await open(undefined);
  if ('rejected' in opened) return post({ kind: 'rejected', reason: opened.rejected });
  post({ kind: 'opened', encoding: opened.encoding, layout: opened.layout, restFrom: opened.restFrom });
  for await (const batch of opened.batches) {
    while (room === 0) await new Promise<void>((resolve) => (wake = resolve));
    room--;
    post({ kind: 'batch', batch: batch.data }, batch.transfer);
  }
  post({ kind: 'end' });
}

read().catch((error: Error & { reason?: string }) => post({ kind: 'failed', name: error.name, message: error.message, reason: error.reason }));
