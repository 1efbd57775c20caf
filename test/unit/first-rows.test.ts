import { describe, expect, it } from 'vitest';
import { FirstRows } from '../../src/recon/engine/first-rows.ts';

describe('FirstRows', () => {
  it('answers exactly like a Map for many similar, repeated, non-ASCII and very long keys', () => {
    const index = new FirstRows();
    const reference = new Map<string, number>();
    const keys: string[] = [];
    for (let i = 0; i < 60_000; i++) keys.push(`S20261123${String(i).padStart(9, '0')}`);
    keys.push('结算0001', '结算0002', 'x'.repeat(300), 'x'.repeat(301), '', 'a', 'A', 's20261123000000001', 'S20261123000000001 ');
    // Every key twice, in a shuffled order, so first occurrences and repeats interleave.
    const order = [...keys, ...keys].map((key, i) => ({ key, sort: (i * 2_654_435_761) % 4_294_967_291 })).sort((a, b) => a.sort - b.sort);
    order.forEach(({ key }, row) => {
      const expected = reference.get(key);
      if (expected === undefined) reference.set(key, row);
      expect(index.firstRowOf(key, row)).toBe(expected);
    });
    expect(index.size).toBe(keys.length);
  });
});
