import { maskIdNumber } from './id-number.ts';

/**
 * What of a bad cell an error line may show. A row shifted by an unquoted comma puts a name or an
 * ID number into whatever column follows, so every echoed value is screened, whichever column it
 * was read from.
 */

/** As long as an ID number: 17 digits and the check letter, or 15 digits and more (15-digit IDs of the first generation). */
const ID_LIKE = /\d{17}[Xx]|\d{15,}/g;
/** Letters of another script than Latin (a Chinese name), or Latin words joined like a given name and a surname. */
const NAME_LIKE = /[^\P{L}A-Za-z]|[A-Za-z]{2,}[ ·.,'-]+[A-Za-z]{2,}/u;
const SHOWN_CHARACTERS = 40;

/** Masks every run of digits that could be an ID number, as IDs are shown everywhere (510104********1234). */
export function maskIdLike(text: string): string {
  return text.replace(ID_LIKE, maskIdNumber);
}

/**
 * A bad cell value quoted for an error line: bounded, control characters escaped, ID-like digits
 * masked, and not shown at all when it could be a name.
 */
export function quoteCell(value: string): string {
  if (NAME_LIKE.test(value)) return 'a value that may be personal data (not shown)';
  const masked = maskIdLike(value);
  return JSON.stringify(masked.length > SHOWN_CHARACTERS ? `${masked.slice(0, SHOWN_CHARACTERS)}…` : masked);
}
