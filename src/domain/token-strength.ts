/** Shorter tokens are refused: the admin server moves money on request. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Estimated bits a token must carry: its length times the Shannon entropy of its own characters.
 * A random 16-character hex token scores about 50 (rarely under 40); `aaaa…` 0.
 */
const MIN_TOKEN_BITS = 40;

/** Why a token is too weak to guard the admin server, or null when it will do. */
export function tokenWeakness(token: string): string | null {
  if (token.trim().length === 0) return 'is empty or only whitespace';
  if (/\s/u.test(token)) return 'contains whitespace';
  const chars = [...token];
  if (chars.length < MIN_TOKEN_LENGTH) return `is shorter than ${MIN_TOKEN_LENGTH} characters`;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / chars.length) * Math.log2(n / chars.length);
  if (bitsPerChar * chars.length < MIN_TOKEN_BITS) return 'has too little entropy (too few different characters)';
  // `passwordpassword`: a short secret said twice is still a short secret.
  if (/^(.+)\1+$/su.test(token)) return 'has too little entropy (a shorter text repeated)';
  // Runs such as 0123456789abcdef or zyxw… have many different characters and no secret.
  let steps = 0;
  for (let i = 1; i < chars.length; i++) {
    if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) <= 1) steps++;
  }
  if (steps * 2 > chars.length - 1) return 'has too little entropy (mostly a run of neighbouring characters)';
  return null;
}
