import { ByteStrings, PagedNumbers } from './byte-strings.ts';

/**
 * Numbers distinct string keys 0, 1, 2, … in the order they are added, and finds a key's number:
 * the part of a Map<string, number> the reconciliation needs for a million setl_ids, at about 30
 * bytes per key outside the JavaScript heap. ASCII keys (what institutions and the ledger use) are
 * kept in ByteStrings and found through an open-addressing table; other keys (non-ASCII or very
 * long) go to a Map, and an ASCII key never equals one of them. Keys are compared character by
 * character, so answers are exact.
 */
export class KeyIndex {
  private readonly keys = new ByteStrings();
  /** Per entry: its key's offset in `keys` (unused for entries kept in `others`). */
  private readonly offsets = new PagedNumbers(Uint32Array);
  private count = 0;
  /**
   * Open-addressing slots, kept at most half full: 0 is free, else (entry + 1) in the low 24 bits
   * and 8 bits of the key's hash above, so most probes of another key stop without reading it.
   */
  private slots: Uint32Array;
  private readonly others = new Map<string, number>();
  /** Whether the last findOrAdd added its key. */
  added = false;

  /** `expected`: how many keys will be added, if known (saves growing the table). */
  constructor(expected = 0) {
    let slots = 1 << 15;
    while (slots < expected * 2 && slots < MAX_SLOTS) slots *= 2;
    this.slots = new Uint32Array(slots);
  }

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
    return this.lookup(text, start, end, false);
  }

  /** The key's number, adding it if new (then `added` is true). */
  findOrAdd(key: string): number {
    return this.lookup(key, 0, key.length, true);
  }

  private lookup(text: string, start: number, end: number, add: boolean): number {
    this.added = false;
    const hash = ByteStrings.hashIfFits(text, start, end);
    if (hash >= 0) {
      const tag = ((hash >>> 24) << 24) >>> 0;
      const mask = this.slots.length - 1;
      let slot = hash & mask;
      for (let value; (value = this.slots[slot]!) !== 0; slot = (slot + 1) & mask) {
        if ((value & TAG_MASK) >>> 0 !== tag) continue;
        const e = (value & INDEX_MASK) - 1;
        if (this.keys.equals(this.offsets.get(e), text, start, end)) return e;
      }
      // Past MAX_ENTRIES, new keys of any kind go to `others`.
      if (this.count < MAX_ENTRIES) {
        if (!add) return -1;
        const e = this.count++;
        this.offsets.set(e, this.keys.push(text));
        this.slots[slot] = (tag | (e + 1)) >>> 0;
        if (this.count * 2 > this.slots.length) this.rehash();
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

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (const value of this.slots) {
      if (value === 0) continue;
      const hash = this.keys.hashAt(this.offsets.get((value & INDEX_MASK) - 1));
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = value;
    }
    this.slots = slots;
  }
}

/** Entries addressable in a slot's low 24 bits. */
const MAX_ENTRIES = (1 << 24) - 1;
const MAX_SLOTS = 1 << 25;
/** The offset of an entry whose key is kept in `others`. */
const IN_OTHERS = 0xffffffff;
const INDEX_MASK = 0xffffff;
const TAG_MASK = 0xff000000;
