/** Mainland resident ID numbers (GB 11643): 17 digits and an ISO 7064 MOD 11-2 check character. */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** The ID in canonical form (check letter upper-case), or null when malformed or the check fails. */
export function normalizeIdNumber(text: string): string | null {
  const id = text.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return null;
  return checkCharacter(id.slice(0, 17)) === id[17] ? id : null;
}

/** The only form in which an ID number may appear in output: 510104********1234. */
export function maskIdNumber(id: string): string {
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
