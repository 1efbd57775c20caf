import { ByteStrings, PagedNumbers } from './byte-strings.ts';

/**
 * Numbers distinct string keys 0, 1, 2, … in the order they are added, and finds a key's number:
 * the part of a Map<string, number> the reconciliation needs for a million setl_ids, at about 30
 * bytes per key outside the JavaScript heap. ASCII keys (what institutions and the ledger use) are
 * kept in ByteStrings; other keys (non-ASCII or very long) go to a Map, and an ASCII key never
 * equals one of them. Keys are compared character by character, so answers are exact.
 *
 * Keys added in increasing order (a query ordered by them) are found by bisection: hashing a
 * million keys into a table of random slots cost a third of loading them. The open-addressing
 * table is built once keys come out of order, or once bisections are common (a file that does not
 * follow the ledger's order).
 */
export class KeyIndex {
  private readonly keys = new ByteStrings();
  /** Per entry: its key's offset in `keys` (unused for entries kept in `others`). */
  private readonly offsets = new PagedNumbers(Uint32Array);
  private count = 0;
  /**
   * Null while every key is ASCII and added in increasing order. Else open-addressing slots, kept at
   * most half full: 0 is free, else (entry + 1) in the low 24 bits and 8 bits of the key's hash
   * above, so most probes of another key stop without reading it.
   */
  private slots: Uint32Array | null = null;
  private bisections = 0;
  private readonly others = new Map<string, number>();
  /** Whether the last findOrAdd added its key. */
  added = false;

  /** `expected`: how many keys will be added, if known (sizes the table, should one be built). */
  constructor(private readonly expected = 0) {}

  get size(): number {
    return this.count;
  }

  /**
   * Whether entry `e` is `text` (or its characters from `start` to `end`, as in find): cheaper than
   * find when the caller can guess the entry.
   */
  isKey(e: number, text: string, start = 0, end = text.length): boolean {
    const offset = this.offsets.get(e);
    return e < this.count && offset !== IN_OTHERS && this.keys.equals(offset, text, start, end);
  }

  /**
   * The number of the key `text` (or of its characters from `start` to `end`: keys found in a longer
   * string need not be cut out of it first), or -1.
   */
  find(text: string, start = 0, end = text.length): number {
    if (this.slots !== null) return this.lookup(text, start, end, false);
    if (++this.bisections > BISECTIONS + this.count / 16) this.buildTable();
    return this.bisect(text, start, end);
  }

  /** The key's number, adding it if new (then `added` is true). */
  findOrAdd(key: string): number {
    if (this.slots === null) {
      const order = this.count === 0 ? 1 : -this.keys.compare(this.offsets.get(this.count - 1), key);
      if (order > 0 && ByteStrings.fits(key) && this.count < MAX_ENTRIES) {
        this.offsets.set(this.count, this.keys.push(key));
        this.added = true;
        return this.count++;
      }
      this.buildTable();
    }
    return this.lookup(key, 0, key.length, true);
  }

  /** Binary search of keys in increasing order (all ASCII: what is not cannot be among them). */
  private bisect(text: string, start: number, end: number): number {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = this.keys.compare(this.offsets.get(middle), text, start, end);
      if (order < 0) low = middle + 1;
      else if (order > 0) high = middle - 1;
      else return middle;
    }
    return -1;
  }

  private lookup(text: string, start: number, end: number, add: boolean): number {
    this.added = false;
    const slots = this.slots!;
    const hash = ByteStrings.hashIfFits(text, start, end);
    if (hash >= 0) {
      const tag = ((hash >>> 24) << 24) >>> 0;
      const mask = slots.length - 1;
      let slot = hash & mask;
      for (let value; (value = slots[slot]!) !== 0; slot = (slot + 1) & mask) {
        if ((value & TAG_MASK) >>> 0 !== tag) continue;
        const e = (value & INDEX_MASK) - 1;
        if (this.keys.equals(this.offsets.get(e), text, start, end)) return e;
      }
      // Past MAX_ENTRIES, new keys of any kind go to `others`.
      if (this.count < MAX_ENTRIES) {
        if (!add) return -1;
        const e = this.count++;
        this.offsets.set(e, this.keys.push(text));
        slots[slot] = (tag | (e + 1)) >>> 0;
        if (this.count * 2 > slots.length) this.buildTable();
        this.added = true;
        return e;
      }
    }
    if (this.others.size === 0 && !add) return -1;
    const key = start === 0 && end === text.length ? text : text.slice(start, end);
    const known = this.others.get(key);
    if (known !== undefined || !add) return known ?? -1;
    this.others.set(key, this.count);
    this.offsets.set(this.count, IN_OTHERS);
    this.added = true;
    return this.count++;
  }

  /** (Re)builds the table for the entries so far, with room for twice the expected number. */
  private buildTable(): void {
    let size = this.slots === null ? 1 << 15 : this.slots.length;
    while (size < Math.max(this.expected, this.count) * 2 && size < MAX_SLOTS) size *= 2;
    const slots = new Uint32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.count; e++) {
      const offset = this.offsets.get(e);
      if (offset === IN_OTHERS) continue;
      const hash = this.keys.hashAt(offset);
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = (((hash >>> 24) << 24) | (e + 1)) >>> 0;
    }
    this.slots = slots;
  }
}

/** Bisections allowed (besides one per 16 keys) before the table is built. */
const BISECTIONS = 10_000;
/** Entries addressable in a slot's low 24 bits. */
const MAX_ENTRIES = (1 << 24) - 1;
const MAX_SLOTS = 1 << 25;
/** The offset of an entry whose key is kept in `others`. */
const IN_OTHERS = 0xffffffff;
const INDEX_MASK = 0xffffff;
const TAG_MASK = 0xff000000;
