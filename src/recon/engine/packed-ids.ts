import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A set of settlement ids packed for storage with the file record: the ledger settlements of a
 * file's day and institution that its valid rows reported, and beside them those none reported.
 * Kept so MISSING_IN_FILE can be recomputed on every later run, when the ledger may have grown,
 * without reading the file again or storing a row per matched settlement. Stored as sorted ids,
 * delta + varint encoded, deflated: about a byte per id. `PackedIdSet` reads it back.
 */
export class PackedIds {
  /** Fixed-size pages rather than a growing array: see ByteStrings on reallocation. */
  private readonly pages: Float64Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(id: number): void {
    if (this.count % PAGE === 0) this.pages.push(new Float64Array(PAGE));
    this.pages[this.pages.length - 1]![this.count++ % PAGE] = id;
  }

  encode(): Buffer {
    const sorted = new Float64Array(this.count);
    this.pages.forEach((page, i) => sorted.set(page.subarray(0, Math.min(PAGE, this.count - i * PAGE)), i * PAGE));
    sorted.sort();
    const out = Buffer.allocUnsafe(this.count * 8 + 8);
    let at = 0;
    let previous = 0;
    for (const id of sorted) {
      let delta = id - previous;
      previous = id;
      while (delta >= 0x80) {
        out[at++] = (delta % 0x80) | 0x80;
        delta = Math.floor(delta / 0x80);
      }
      out[at++] = delta;
    }
    return deflateRawSync(out.subarray(0, at));
  }
}

const PAGE = 1 << 16;

/** Membership test over an encoded set: binary search in the decoded, sorted ids. */
export class PackedIdSet {
  private constructor(private readonly ids: Float64Array) {}

  static decode(encoded: Buffer | null): PackedIdSet {
    if (!encoded || encoded.length === 0) return new PackedIdSet(new Float64Array(0));
    const bytes = inflateRawSync(encoded);
    const ids = new Float64Array(bytes.length);
    let count = 0;
    let value = 0;
    let delta = 0;
    let scale = 1;
    for (const byte of bytes) {
      delta += (byte & 0x7f) * scale;
      if (byte & 0x80) {
        scale *= 0x80;
        continue;
      }
      value += delta;
      ids[count++] = value;
      delta = 0;
      scale = 1;
    }
    return new PackedIdSet(ids.subarray(0, count));
  }

  get size(): number {
    return this.ids.length;
  }

  toArray(): number[] {
    return Array.from(this.ids);
  }

  has(id: number): boolean {
    let low = 0;
    let high = this.ids.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.ids[mid]!;
      if (value === id) return true;
      if (value < id) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}
