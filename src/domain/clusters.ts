/**
 * Family clusters: orders whose beneficiaries share a payer (directly or through a chain of
 * bindings) may draw on the same account, so they must be charged in one job, in one sequence.
 * Disjoint clusters never interact and can run in parallel.
 */

/** Union-find over person ids with path halving; ids are small positive integers. */
class DisjointSets {
  private readonly parent = new Map<number, number>();

  find(x: number): number {
    let node = x;
    for (;;) {
      const p = this.parent.get(node);
      if (p === undefined || p === node) return node;
      const grand = this.parent.get(p) ?? p;
      this.parent.set(node, grand);
      node = grand;
    }
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
}

export interface OrderRef {
  orderId: number;
  beneficiaryId: number;
}

/**
 * Groups orders into chunks of whole clusters, about `chunkSize` orders each (a cluster larger than
 * that becomes a chunk of its own). `edges` are (beneficiary, payer) bindings; using every binding,
 * active or not, only ever merges more, which is safe. Chunks come out in ascending order of their
 * first order id, so ledger keys built from order ids grow in order.
 */
export function chunkByCluster(orders: readonly OrderRef[], edges: Iterable<readonly [number, number]>, chunkSize: number): number[][] {
  const sets = new DisjointSets();
  for (const [beneficiaryId, payerId] of edges) sets.union(beneficiaryId, payerId);

  const clusters = new Map<number, number[]>();
  for (const { orderId, beneficiaryId } of [...orders].sort((a, b) => a.orderId - b.orderId)) {
    const root = sets.find(beneficiaryId);
    const cluster = clusters.get(root);
    if (cluster) cluster.push(orderId);
    else clusters.set(root, [orderId]);
  }

  // Map iteration follows insertion, i.e. each cluster's smallest order id.
  const chunks: number[][] = [];
  let current: number[] = [];
  for (const cluster of clusters.values()) {
    if (current.length > 0 && current.length + cluster.length > chunkSize) {
      chunks.push(current);
      current = [];
    }
    for (const orderId of cluster) current.push(orderId);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
