/** Integer fen (分). Never a float: amounts are parsed from text and formatted back to text. */
export type Fen = number;

/**
 * Parses yuan text (`400`, `400.5`, `-12.50`: `^-?\d{1,13}(\.\d{1,2})?$`) into fen; null when the
 * text is not such an amount. Read character by character: it runs for three cells of every row
 * of a million-row file, and a regular expression with its match array costs several times more.
 */
export function parseYuan(text: string): Fen | null {
  const length = text.length;
  const negative = length > 0 && text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  let yuan = 0;
  const start = i;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) break;
    yuan = yuan * 10 + digit;
  }
  const digits = i - start;
  if (digits < 1 || digits > 13) return null;
  let fen = 0;
  if (i < length) {
    const decimals = length - i - 1;
    if (text.charCodeAt(i) !== DOT || decimals < 1 || decimals > 2) return null;
    for (let k = 1, scale = 10; k <= decimals; k++, scale /= 10) {
      const digit = text.charCodeAt(i + k) - ZERO;
      if (digit < 0 || digit > 9) return null;
      fen += digit * scale;
    }
  }
  const amount = yuan * 100 + fen;
  return negative ? -amount : amount;
}

const ZERO = 48;
const MINUS = 45;
const DOT = 46;

/** Fen as yuan with exactly two decimals: 40000 -> "400.00", -1250 -> "-12.50". */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
