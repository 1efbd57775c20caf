/**
 * Sums of fen per integer id (an account, order or settlement), in a typed array indexed by the id:
 * the full verify adds up millions of entries, and a Map would cost a hash lookup per entry and an
 * object per id. Ids are auto-increment keys, so the array is about as long as the table's largest
 * id (ids past `DENSE_LIMIT`, which no table of ours reaches, go to a Map rather than a huge array).
 * Float64 holds integers exactly up to 2^53 fen.
 */
const DENSE_LIMIT = 1 << 26;

export class IdSums {
  private sums: Float64Array;
  private counts: Uint32Array;
  private readonly sparse = new Map<number, { sum: number; count: number }>();

  constructor(initial = 1 << 16) {
    this.sums = new Float64Array(initial);
    this.counts = new Uint32Array(initial);
  }

  add(id: number, amount: number): void {
    if (id >= this.sums.length) {
      if (id >= DENSE_LIMIT) return this.addSparse(id, amount);
      this.grow(id);
    }
    this.sums[id]! += amount;
    this.counts[id]!++;
  }

  sum(id: number): number {
    return id < this.sums.length ? this.sums[id]! : this.sparse.get(id)?.sum ?? 0;
  }

  count(id: number): number {
    return id < this.counts.length ? this.counts[id]! : this.sparse.get(id)?.count ?? 0;
  }

  /** Ids added at least once, ascending. */
  *ids(): Generator<number> {
    for (let id = 0; id < this.counts.length; id++) if (this.counts[id]! > 0) yield id;
    yield* [...this.sparse.keys()].sort((a, b) => a - b);
  }

  private addSparse(id: number, amount: number): void {
    const s = this.sparse.get(id);
    if (s) {
      s.sum += amount;
      s.count++;
    } else {
      this.sparse.set(id, { sum: amount, count: 1 });
    }
  }

  private grow(id: number): void {
    let length = this.sums.length;
    while (length <= id) length *= 2;
    length = Math.min(length, DENSE_LIMIT);
    const sums = new Float64Array(length);
    sums.set(this.sums);
    const counts = new Uint32Array(length);
    counts.set(this.counts);
    this.sums = sums;
    this.counts = counts;
  }
}
