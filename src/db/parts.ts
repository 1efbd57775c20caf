/**
 * `items` cut into at most `count` contiguous parts of one size (the last may be shorter): keys to
 * look up in as many queries at once, on separate connections, when each key waits on a page read.
 * Contiguous, so the parts of a sorted list each read their own range of index pages.
 */
export function inParts<T>(items: readonly T[], count: number): T[][] {
  const size = Math.ceil(items.length / count);
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
