import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** V8's gc(), fetched once: a context created while the flag is set gets it; the main context never does. */
function fullCollection(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** Above this much live-and-dead heap, a checkpoint collects. */
const THRESHOLD = 48 * 1024 * 1024;

/**
 * A full collection at a checkpoint, when the heap has grown (or `now`, once a large structure has
 * been let go). Each ledger answer of a million-row file lives through a couple of young-generation
 * collections and lands in the old one; V8 then lets the old generation grow to several times its
 * live size before collecting it, which alone would put a 1M-row reconciliation over its 300 MB
 * budget. Collecting every 50,000 rows or so costs a few milliseconds each and keeps the heap near
 * its live size; typed arrays let go are only returned by a collection too.
 */
export function compactHeap(now = false): void {
  if (now || process.memoryUsage().heapUsed > THRESHOLD) fullCollection()();
}
