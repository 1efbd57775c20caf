/**
 * Short ASCII strings packed as [length, ...bytes] into fixed-size pages outside the JavaScript
 * heap: a million setl_ids or psn_nos cost about 20 bytes each instead of a JavaScript string
 * apiece, and the garbage collector never walks them. Pages are added, never reallocated: a large
 * reallocation leaves dead memory that V8 returns only with a full collection.
 */
export class ByteStrings {
  private readonly pages: Uint8Array[] = [];
  private used = PAGE;

  /**
   * The hash of `text` (or of its characters from `start` to `end`) when it can be stored here
   * (ASCII, at most 255 characters), else -1: one pass for both questions.
   */
  static hashIfFits(text: string, start = 0, end = text.length): number {
    if (end - start > MAX_LENGTH) return -1;
    let hash = FNV_OFFSET;
    let bits = 0;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      bits |= code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    return bits > 0x7f ? -1 : mix(hash) >>> 0;
  }

  /** Whether `text` can be stored here: ASCII, at most 255 characters. */
  static fits(text: string): boolean {
    if (text.length > MAX_LENGTH) return false;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
    return true;
  }

  /** Stores `text` (which fits) and returns its offset. */
  push(text: string): number {
    if (this.used + 1 + text.length > PAGE) {
      this.pages.push(new Uint8Array(PAGE));
      this.used = 0;
    }
    const page = this.pages[this.pages.length - 1]!;
    const start = this.used;
    page[start] = text.length;
    for (let i = 0; i < text.length; i++) page[start + 1 + i] = text.charCodeAt(i);
    this.used += 1 + text.length;
    return (this.pages.length - 1) * PAGE + start;
  }

  /** Whether the string at `offset` is `text` (or its characters from `start` to `end`). */
  equals(offset: number, text: string, start = 0, end = text.length): boolean {
    const page = this.pages[offset >>> PAGE_BITS]!;
    const at = offset & PAGE_MASK;
    if (page[at] !== end - start) return false;
    // From the end: sequential ids share long prefixes and differ in their last characters.
    for (let i = end - 1, j = at + end - start; i >= start; i--, j--) if (page[j] !== text.charCodeAt(i)) return false;
    return true;
  }

  /**
   * Negative, zero or positive as the string at `offset` sorts before, as or after `text` (or its
   * characters from `start` to `end`) in JavaScript's order of strings.
   */
  compare(offset: number, text: string, start = 0, end = text.length): number {
    const page = this.pages[offset >>> PAGE_BITS]!;
    const at = (offset & PAGE_MASK) + 1;
    const length = page[at - 1]!;
    const common = Math.min(length, end - start);
    for (let i = 0; i < common; i++) {
      const order = page[at + i]! - text.charCodeAt(start + i);
      if (order !== 0) return order;
    }
    return length - (end - start);
  }

  get(offset: number): string {
    const page = this.pages[offset >>> PAGE_BITS]!;
    const start = offset & PAGE_MASK;
    return String.fromCharCode(...page.subarray(start + 1, start + 1 + page[start]!));
  }

  /** hashIfFits(the string at `offset`), from its bytes. */
  hashAt(offset: number): number {
    const page = this.pages[offset >>> PAGE_BITS]!;
    const start = (offset & PAGE_MASK) + 1;
    let hash = FNV_OFFSET;
    for (let i = start; i < start + page[start - 1]!; i++) hash = Math.imul(hash ^ page[i]!, FNV_PRIME);
    return mix(hash) >>> 0;
  }
}

/** The final avalanche of the FNV-1a hash, so linear probing sees well-spread slots for sequential ids. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

const MAX_LENGTH = 255;
const PAGE_BITS = 20;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** A growable array of numbers in fixed-size typed-array pages (never reallocated; see ByteStrings). */
export class PagedNumbers {
  private readonly pages: (Float64Array | Uint32Array | Int32Array)[] = [];

  constructor(private readonly kind: typeof Float64Array | typeof Uint32Array | typeof Int32Array) {}

  set(i: number, value: number): void {
    const p = i >>> ENTRY_BITS;
    while (this.pages.length <= p) this.pages.push(new this.kind(ENTRY_PAGE));
    this.pages[p]![i & ENTRY_MASK] = value;
  }

  /** The value set at `i`, or 0. */
  get(i: number): number {
    return this.pages[i >>> ENTRY_BITS]?.[i & ENTRY_MASK] ?? 0;
  }
}

const ENTRY_BITS = 16;
const ENTRY_PAGE = 1 << ENTRY_BITS;
const ENTRY_MASK = ENTRY_PAGE - 1;
