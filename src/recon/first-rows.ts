/**
 * The first row number of every setl_id seen so far in one file: what DUPLICATE_ROW is decided by.
 *
 * A JavaScript Map of a million setl_ids costs about 80 MB of heap, plus the garbage collector
 * walking a million strings on every major collection. Here keys are stored as UTF-8 bytes in one
 * growing buffer and found through an open-addressing table of typed arrays: about 45 bytes per
 * distinct setl_id, outside the JavaScript heap, and exact (keys are compared byte for byte, so a
 * hash collision can never turn a new setl_id into a duplicate).
 */
export class FirstRows {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Per entry: where its key starts in `bytes`, its length, its hash and its row. */
  private offsets = new Uint32Array(1 << 14);
  private lengths = new Uint32Array(1 << 14);
  private hashes = new Uint32Array(1 << 14);
  private rows = new Uint32Array(1 << 14);
  private count = 0;
  /** Open-addressing slots holding entry index + 1 (0 = free); kept at most half full. */
  private slots = new Uint32Array(1 << 15);

  get size(): number {
    return this.count;
  }

  /** The row `key` was first seen in, or undefined after recording `row` as its first. */
  firstRowOf(key: string, row: number): number | undefined {
    if (this.used + key.length * 3 > this.bytes.length) this.growBytes(key.length * 3);
    const start = this.used;
    const length = this.bytes.write(key, start, 'utf8');
    const hash = fnv1a(this.bytes, start, length);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        this.add(slot, start, length, hash, row);
        return undefined;
      }
      const e = entry - 1;
      if (this.hashes[e] === hash && this.lengths[e] === length && this.sameBytes(this.offsets[e]!, start, length)) return this.rows[e];
    }
  }

  private add(slot: number, start: number, length: number, hash: number, row: number): void {
    if (this.count === this.offsets.length) this.growEntries();
    const e = this.count++;
    this.offsets[e] = start;
    this.lengths[e] = length;
    this.hashes[e] = hash;
    this.rows[e] = row;
    this.slots[slot] = e + 1;
    this.used += length;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private sameBytes(a: number, b: number, length: number): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
    return true;
  }

  private growBytes(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + needed));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }

  private growEntries(): void {
    const grow = (a: Uint32Array) => {
      const next = new Uint32Array(a.length * 2);
      next.set(a);
      return next;
    };
    this.offsets = grow(this.offsets);
    this.lengths = grow(this.lengths);
    this.hashes = grow(this.hashes);
    this.rows = grow(this.rows);
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.hashes[e]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

/** 32-bit FNV-1a with a final avalanche, so linear probing sees well-spread slots for sequential ids. */
function fnv1a(bytes: Buffer, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
