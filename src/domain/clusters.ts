/**
 * Family clusters: orders whose beneficiaries share a payer (directly or through a chain of
 * bindings) may draw on the same account, so they must be charged in one job, in one sequence.
 * Disjoint clusters never interact and can run in parallel.
 */

/** Union-find over person ids (small positive integers) with path halving, in typed arrays. */
class DisjointSets {
  private parent = new Int32Array(1024);

  private grow(id: number): void {
    if (id < this.parent.length) return;
    let size = this.parent.length;
    while (size <= id) size *= 2;
    const next = new Int32Array(size);
    next.set(this.parent);
    this.parent = next;
  }

  /** Ids never seen are their own root (0 in the array means "self"). */
  find(x: number): number {
    this.grow(x);
    let node = x;
    for (;;) {
      const p = this.parent[node]! || node;
      if (p === node) return node;
      const grand = this.parent[p]! || p;
      this.parent[node] = grand;
      node = grand;
    }
  }

  /** Joins two sets; returns the surviving root and the absorbed one (null when already joined). */
  union(a: number, b: number): { root: number; absorbed: number | null } {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return { root: ra, absorbed: null };
    const [root, absorbed] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[absorbed] = root;
    return { root, absorbed };
  }
}

/**
 * Builds chunks of whole clusters, about `chunkSize` orders each (a larger cluster becomes a chunk
 * of its own), while orders are still arriving: bindings first, then orders in ascending
 * beneficiary id ranges. A cluster is handed out once every beneficiary bound into it has an id at
 * or below the range already planned, so payment can start long before planning ends.
 */
export class ClusterChunker {
  private readonly sets = new DisjointSets();
  /** Largest beneficiary id per root, from the bindings. */
  private readonly lastBeneficiary = new Map<number, number>();
  /** Orders waiting per root, in arrival order of the clusters. */
  private readonly waiting = new Map<number, number[]>();
  private current: number[] = [];

  constructor(private readonly chunkSize: number) {}

  /** Every binding must be added before the first order. */
  addBinding(beneficiaryId: number, payerId: number): void {
    const { root, absorbed } = this.sets.union(beneficiaryId, payerId);
    const last = Math.max(this.lastBeneficiary.get(root) ?? 0, absorbed === null ? 0 : this.lastBeneficiary.get(absorbed) ?? 0, beneficiaryId);
    this.lastBeneficiary.set(root, last);
    if (absorbed !== null) this.lastBeneficiary.delete(absorbed);
  }

  addOrder(orderId: number, beneficiaryId: number): void {
    const root = this.sets.find(beneficiaryId);
    const list = this.waiting.get(root);
    if (list) list.push(orderId);
    else this.waiting.set(root, [orderId]);
  }

  /** Chunks of the clusters complete once every beneficiary up to `upToBeneficiaryId` is in. */
  takeComplete(upToBeneficiaryId: number): number[][] {
    return this.take((root) => (this.lastBeneficiary.get(root) ?? root) <= upToBeneficiaryId, false);
  }

  /** Everything still waiting, including the last partial chunk. */
  takeAll(): number[][] {
    return this.take(() => true, true);
  }

  private take(complete: (root: number) => boolean, flush: boolean): number[][] {
    const chunks: number[][] = [];
    for (const [root, orders] of this.waiting) {
      if (!complete(root)) continue;
      this.waiting.delete(root);
      if (this.current.length > 0 && this.current.length + orders.length > this.chunkSize) {
        chunks.push(this.current);
        this.current = [];
      }
      for (const orderId of orders) this.current.push(orderId);
    }
    if (flush && this.current.length > 0) {
      chunks.push(this.current);
      this.current = [];
    }
    return chunks;
  }
}

export interface OrderRef {
  orderId: number;
  beneficiaryId: number;
}

/**
 * Groups known orders into chunks of whole clusters. `edges` are (beneficiary, payer) bindings;
 * using every binding, active or not, only ever merges more, which is safe. Chunks come out in
 * ascending order of their first order id, so ledger keys built from order ids grow in order.
 */
export function chunkByCluster(orders: readonly OrderRef[], edges: Iterable<readonly [number, number]>, chunkSize: number): number[][] {
  const chunker = new ClusterChunker(chunkSize);
  for (const [beneficiaryId, payerId] of edges) chunker.addBinding(beneficiaryId, payerId);
  for (const { orderId, beneficiaryId } of [...orders].sort((a, b) => a.orderId - b.orderId)) chunker.addOrder(orderId, beneficiaryId);
  return chunker.takeAll();
}
