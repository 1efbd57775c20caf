import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../src/recon/engine/key-index.ts';

const key = (i: number) => `S${String(i).padStart(8, '0')}`;

/** Every key found at its number, also as a span of a longer string; near misses not found. */
function expectExact(index: KeyIndex, keys: readonly string[], order: readonly number[]): void {
  for (const i of order) {
    expect(index.find(keys[i]!)).toBe(i);
    expect(index.find(`x${keys[i]}结`, 1, 1 + keys[i]!.length)).toBe(i);
    expect(index.find(`${keys[i]}0`)).toBe(-1);
    expect(index.find(keys[i]!.slice(0, -1))).toBe(-1);
  }
}

const shuffled = (n: number) => Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 2_654_435_761) % 4_294_967_291) - ((b * 2_654_435_761) % 4_294_967_291));

describe('KeyIndex', () => {
  it('finds keys added in increasing order, in any order of lookups, and keeps a repeated key once', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => key(i * 2));
    const index = new KeyIndex();
    for (const k of keys) {
      expect(index.findOrAdd(k)).toBe(index.size - 1);
      expect(index.added).toBe(true);
    }
    expectExact(index, keys, shuffled(keys.length));
    // Between, before and after the keys; ASCII order is not numeric order.
    for (const absent of [key(1), key(5999), 'S', 'R99999999', 'T', '', 'S0000000a', 's00000000', '结算']) expect(index.find(absent)).toBe(-1);
    expect(index.findOrAdd(keys.at(-1)!)).toBe(keys.length - 1);
    expect(index.added).toBe(false);
    expect(index.size).toBe(keys.length);
    expectExact(index, keys, shuffled(keys.length));
  });

  it('stays exact when a key comes out of order, repeats, is not ASCII or is long, whenever that happens', () => {
    for (const odd of ['A0', key(7), '结算1', 'z'.repeat(300)]) {
      for (const at of [0, 1, 500, 2999]) {
        const keys = Array.from({ length: 3000 }, (_, i) => key(i));
        keys.splice(at, 0, odd);
        const index = new KeyIndex(keys.length);
        const distinct = [...new Set(keys)];
        const numbers = new Map(distinct.map((k, i) => [k, i]));
        for (const k of keys) expect(index.findOrAdd(k)).toBe(numbers.get(k));
        expect(index.size).toBe(distinct.length);
        expectExact(index, distinct, shuffled(distinct.length));
        expect(index.find('结算2')).toBe(-1);
      }
    }
  });

  it('answers the same after so many lookups out of order that it builds its table', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => key(i * 3));
    const index = new KeyIndex();
    for (const k of keys) index.findOrAdd(k);
    // Well past the bisections allowed: the answers before and after the switch must agree.
    for (let round = 0; round < 2; round++) expectExact(index, keys, shuffled(keys.length));
    expect(index.find(key(1))).toBe(-1);
    expect(index.findOrAdd(key(1))).toBe(keys.length);
    expect(index.find(key(1))).toBe(keys.length);
    expect(index.isKey(keys.length, key(1))).toBe(true);
  });
});
