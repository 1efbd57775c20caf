import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenWeakness } from '../../src/domain/token-strength.ts';

describe('admin token strength', () => {
  it.each([
    ['', 'is empty or only whitespace'],
    [' '.repeat(16), 'is empty or only whitespace'],
    ['\t\n'.repeat(10), 'is empty or only whitespace'],
    ['abcd efgh ijkl mnop', 'contains whitespace'],
    [' leading-9f8e7d6c5b4a', 'contains whitespace'],
    ['k3J9x!q2', 'is shorter than 16 characters'],
    ['a'.repeat(32), 'has too little entropy (too few different characters)'],
    ['abababababababab', 'has too little entropy (too few different characters)'],
    ['passwordpassword', 'has too little entropy (a shorter text repeated)'],
    ['correcthorse'.repeat(2), 'has too little entropy (a shorter text repeated)'],
    ['0123456789abcdefghij', 'has too little entropy (mostly a run of neighbouring characters)'],
    ['zyxwvutsrqponmlkjihg', 'has too little entropy (mostly a run of neighbouring characters)'],
  ])('refuses %j: it %s', (token, reason) => {
    expect(tokenWeakness(token)).toBe(reason);
  });

  it('accepts random tokens of 16 characters and more, and the ones `admin token add` makes', () => {
    expect(tokenWeakness('admin-test-token-0123456789')).toBeNull();
    expect(tokenWeakness(randomBytes(24).toString('hex'))).toBeNull();
    expect(tokenWeakness(`pw_${randomBytes(32).toString('base64url')}`)).toBeNull();
    expect(tokenWeakness('Zq7#mV2$kL9@wR4!')).toBeNull();
    expect(tokenWeakness('医保共济账户令牌一二三四五六七八九十')).toBeNull();
  });
});
