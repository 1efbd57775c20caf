/**
 * The first row number of every setl_id seen so far in one file: what DUPLICATE_ROW is decided by.
 *
 * A JavaScript Map of a million setl_ids costs about 80 MB of heap, and the garbage collector walks
 * a million strings on each major collection. Here ASCII keys (what institutions send) are stored
 * as bytes in fixed-size pages and found through an open-addressing table: about 36 bytes per
 * distinct setl_id, outside the JavaScript heap. Storage grows by adding pages, never by copying:
 * every large reallocation leaves dead memory that V8 reclaims only with a full collection, and
 * such collections promote everything young, which bloats the heap for the rest of the file.
 *
 * Keys are compared character for character, so the answer is exact. Other keys (non-ASCII or very
 * long) go to a Map; an ASCII key never equals one of them.
 */
export class FirstRows {
  /** Keys as [length, ...bytes], packed into pages; an entry's offset is page * ARENA_PAGE + position. */
  private readonly arena: Uint8Array[] = [];
  private arenaUsed = ARENA_PAGE;
  /** Per entry, in pages of ENTRY_PAGE: its key's offset and its row, interleaved. */
  private readonly entries: Uint32Array[] = [];
  private count = 0;
  /**
   * Open-addressing slots, kept at most half full: 0 is free, else (entry index + 1) in the low 24
   * bits and 8 bits of the key's hash above, so most probes of another key stop without reading it.
   */
  private slots = new Uint32Array(1 << 15);
  private readonly others = new Map<string, number>();

  get size(): number {
    return this.count + this.others.size;
  }

  /** The row `key` was first seen in, or undefined after recording `row` as its first. */
  firstRowOf(key: string, row: number): number | undefined {
    const length = key.length;
    let hash = FNV_OFFSET;
    let ascii = length <= MAX_KEY;
    for (let i = 0; i < length; i++) {
      const code = key.charCodeAt(i);
      if (code > 0x7f) ascii = false;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    if (!ascii || this.count >= MAX_ENTRIES) {
      const first = this.others.get(key);
      if (first === undefined) this.others.set(key, row);
      return first;
    }
    hash = mix(hash);
    const tag = (hash >>> 24) << 24;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const value = this.slots[slot]!;
      if (value === 0) {
        this.add(slot, key, row, tag);
        return undefined;
      }
      if (((value & TAG_MASK) >>> 0) !== ((tag >>> 0))) continue;
      const e = (value & INDEX_MASK) - 1;
      const page = this.entries[e >>> ENTRY_BITS]!;
      const at = (e & ENTRY_MASK) * 2;
      if (this.holds(page[at]!, key)) return page[at + 1];
    }
  }

  private holds(offset: number, key: string): boolean {
    const page = this.arena[offset >>> ARENA_BITS]!;
    const start = offset & ARENA_MASK;
    if (page[start] !== key.length) return false;
    // From the end: sequential setl_ids share long prefixes and differ in their last characters.
    for (let i = key.length - 1; i >= 0; i--) if (page[start + 1 + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private add(slot: number, key: string, row: number, tag: number): void {
    if (this.arenaUsed + 1 + key.length > ARENA_PAGE) {
      this.arena.push(new Uint8Array(ARENA_PAGE));
      this.arenaUsed = 0;
    }
    const page = this.arena[this.arena.length - 1]!;
    const start = this.arenaUsed;
    page[start] = key.length;
    for (let i = 0; i < key.length; i++) page[start + 1 + i] = key.charCodeAt(i);
    this.arenaUsed += 1 + key.length;

    const e = this.count++;
    if ((e & ENTRY_MASK) === 0) this.entries.push(new Uint32Array(ENTRY_PAGE * 2));
    const entries = this.entries[e >>> ENTRY_BITS]!;
    entries[(e & ENTRY_MASK) * 2] = (this.arena.length - 1) * ARENA_PAGE + start;
    entries[(e & ENTRY_MASK) * 2 + 1] = row;
    this.slots[slot] = (tag | (e + 1)) >>> 0;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.count; e++) {
      const offset = this.entries[e >>> ENTRY_BITS]![(e & ENTRY_MASK) * 2]!;
      const page = this.arena[offset >>> ARENA_BITS]!;
      const start = (offset & ARENA_MASK) + 1;
      let hash = FNV_OFFSET;
      for (let i = start; i < start + page[start - 1]!; i++) hash = Math.imul(hash ^ page[i]!, FNV_PRIME);
      hash = mix(hash);
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = (((hash >>> 24) << 24) | (e + 1)) >>> 0;
    }
    this.slots = slots;
  }
}

const MAX_KEY = 255;
/** Entries addressable in a slot's low 24 bits; a file with more distinct setl_ids continues in the Map. */
const MAX_ENTRIES = (1 << 24) - 1;
const INDEX_MASK = 0xffffff;
const TAG_MASK = 0xff000000;
const ARENA_BITS = 20;
const ARENA_PAGE = 1 << ARENA_BITS;
const ARENA_MASK = ARENA_PAGE - 1;
const ENTRY_BITS = 16;
const ENTRY_PAGE = 1 << ENTRY_BITS;
const ENTRY_MASK = ENTRY_PAGE - 1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** Final avalanche of the FNV-1a hash, so linear probing sees well-spread slots for sequential ids. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
