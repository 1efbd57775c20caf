import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
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

/**
 * Above this much in the old generation, a checkpoint collects (the modules alone hold about 30 MB
 * there). Young garbage does not count: a scavenge frees it anyway, and counting it made every other
 * checkpoint a full collection, a tenth of a million-row reconciliation's time.
 */
const THRESHOLD = 48 * 1024 * 1024;

/**
 * A full collection at a checkpoint, when the old generation has grown (or `now`, once a large
 * structure has been let go). Whatever lives through a couple of young-generation collections
 * (pages of ledger rows, batches waiting for their turn) lands in the old generation, which V8 then
 * lets grow to several times its live size before collecting it: enough alone to put a 1M-row
 * reconciliation over its 300 MB budget. Typed arrays let go are only returned by a collection too.
 */
export function compactHeap(now = false): void {
  if (now || oldGeneration() > THRESHOLD) fullCollection()();
}

/** Bytes in use in the spaces a full collection compacts (young garbage, which scavenges take care of, left out). */
function oldGeneration(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'old_space' || space.space_name === 'large_object_space') used += space.space_used_size;
  }
  return used;
}
