/** Integer fen (分). Never a float: amounts are parsed from text and formatted back to text. */
export type Fen = number;

const YUAN = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/;

/** Parses yuan text (`400`, `400.5`, `-12.50`) into fen; null when the text is not such an amount. */
export function parseYuan(text: string): Fen | null {
  const m = YUAN.exec(text);
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}

/** Fen as yuan with exactly two decimals: 40000 -> "400.00", -1250 -> "-12.50". */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
