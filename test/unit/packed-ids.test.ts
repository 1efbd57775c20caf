import { describe, expect, it } from 'vitest';
import { PackedIds, PackedIdSet } from '../../src/recon/engine/packed-ids.ts';

describe('PackedIds', () => {
  it('round-trips any set of ids through its compact encoding, in any order of adding', () => {
    const ids = new PackedIds();
    const added: number[] = [];
    for (let i = 0; i < 150_000; i++) {
      const id = i % 3 === 0 ? 2 ** 40 + i * 977 : (i * 7919) % 1_000_003 + 1;
      ids.add(id);
      added.push(id);
    }
    const set = PackedIdSet.decode(ids.encode());
    expect(set.size).toBe(new Set(added).size);
    expect(added.every((id) => set.has(id))).toBe(true);
    expect([0, 1_000_005, 2 ** 40 + 1, 2 ** 41].some((id) => set.has(id))).toBe(false);
  });

  it('decodes an empty or missing set as holding nothing', () => {
    expect(PackedIdSet.decode(new PackedIds().encode()).size).toBe(0);
    expect(PackedIdSet.decode(null).has(1)).toBe(false);
  });
});
