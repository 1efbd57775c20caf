/**
 * The reading thread's entry point (see threaded-rows.ts): opens one reconciliation file (or its
 * first part), checks its rows and posts them in batches, no more than the main thread
 * has made room for. Bundled to plain JavaScript before it is started, so the thread needs no
 * TypeScript loader. It stays up (listening for more room) until the main thread ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCheckedRows } from './checked-rows.ts';
import type { ParseThreadInput, ThreadMessage } from './threaded-rows.ts';

const control = parentPort!;
const { file, identity, ahead, rows, end } = workerData as ParseThreadInput;
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

async function read(): Promise<void> {
  const opened = await openCheckedRows(file, identity, end);
  if ('rejected' in opened) return post({ kind: 'rejected', reason: opened.rejected });
  post({ kind: 'opened', encoding: opened.encoding, layout: opened.layout });
  for await (const batch of opened.batches) {
    while (room === 0) await new Promise<void>((resolve) => (wake = resolve));
    room--;
    post({ kind: 'batch', batch: batch.data }, batch.transfer);
  }
  post({ kind: 'end' });
}

read().catch((error: Error & { reason?: string }) => post({ kind: 'failed', name: error.name, message: error.message, reason: error.reason }));
