import { describe, expect, it } from 'vitest';
import { maskIdNumber, normalizeIdNumber } from '../../src/domain/id-number.ts';
import { formatYuan, parseYuan } from '../../src/domain/money.ts';
import { parseShanghaiTime, toShanghai } from '../../src/domain/time.ts';

describe('money', () => {
  it.each([['400', 40000], ['400.5', 40050], ['400.50', 40050], ['0.01', 1], ['-12.5', -1250], ['0', 0]])('parses %s yuan as %d fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });
  it.each(['1.234', 'abc', '1e3', '', ' 1', '1.', '.5', '+1', '1,000', '0x10'])('rejects %j', (text) => {
    expect(parseYuan(text)).toBeNull();
  });
  it.each(['-', '-.5', '--1', '1.2.3', '１', '12345678901234', '1 ', '1.5 ', '9999999999999.99x'])('rejects %j too', (text) => {
    expect(parseYuan(text)).toBeNull();
  });
  it('agrees with the grammar -?digits{1,13}(.digits{1,2})? on many generated strings', () => {
    const grammar = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/;
    const alphabet = ['0', '1', '9', '.', '-', ' ', 'e', '５'];
    let seed = 7;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = n % 17;
      for (let i = 0; i < length; i++) text += alphabet[(seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % alphabet.length];
      const m = grammar.exec(text);
      const expected = m ? (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))) : null;
      expect(parseYuan(text), text).toBe(expected);
    }
  });
  it('formats fen as yuan with exactly two decimals', () => {
    expect([40000, 40050, 1, 0, -1250].map(formatYuan)).toEqual(['400.00', '400.50', '0.01', '0.00', '-12.50']);
  });
});

describe('ID numbers', () => {
  it('accepts a correct MOD 11-2 check character and reads x as X', () => {
    expect(normalizeIdNumber('11010519491231002X')).toBe('11010519491231002X');
    expect(normalizeIdNumber('11010519491231002x')).toBe('11010519491231002X');
  });
  it('rejects a wrong check character or a malformed number', () => {
    expect(normalizeIdNumber('110105194912310021')).toBeNull();
    expect(normalizeIdNumber('1101051949123100')).toBeNull();
  });
  it('masks all but the first six and last four characters', () => {
    expect(maskIdNumber('510104199001011234')).toBe('510104********1234');
  });
});

describe('business time', () => {
  it('reads dates as midnight and rejects impossible times', () => {
    expect(parseShanghaiTime('2026-02-28')).toBe('2026-02-28 00:00:00');
    expect(parseShanghaiTime('2026-02-29')).toBeNull();
    expect(parseShanghaiTime('2026-01-01 24:00:00')).toBeNull();
    expect(parseShanghaiTime('2026-01-01T10:00:00')).toBeNull();
  });
  it('is Asia/Shanghai whatever the machine time zone', () => {
    expect(toShanghai(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23 00:30:00');
  });
});
