import { PagedNumbers } from './byte-strings.ts';
import { KeyIndex } from './key-index.ts';

/**
 * The first row number of every setl_id seen so far in one file: what DUPLICATE_ROW is decided by.
 * A JavaScript Map of a million setl_ids costs about 80 MB of heap and a million strings for the
 * garbage collector to walk on each major collection; this keeps them outside the heap (KeyIndex).
 */
export class FirstRows {
  private readonly index = new KeyIndex();
  private readonly rows = new PagedNumbers(Uint32Array);

  get size(): number {
    return this.index.size;
  }

  /** The row `key` was first seen in, or undefined after recording `row` as its first. */
  firstRowOf(key: string, row: number): number | undefined {
    const e = this.index.findOrAdd(key);
    if (!this.index.added) return this.rows.get(e);
    this.rows.set(e, row);
    return undefined;
  }
}
