import { quoteCell as quote } from './cell-echo.ts';
import { formatYuan, parseYuan, type Fen } from './money.ts';
import { parseShanghaiTime } from './time.ts';

/**
 * Nightly reconciliation rules (SPEC 5 and the Reconciliation fine print of SPEC 8): what makes an
 * institution's file and its rows acceptable, which single code each row gets, and how outcomes are
 * written out. Plain functions over plain data; reading files and the ledger happens in src/recon.
 */

/** Every outcome code, in the order the SPEC's table lists them (also the column order of the counts). */
export const RECON_CODES = [
  'MATCHED',
  'AMOUNT_MISMATCH',
  'WRONG_PAYEE',
  'MISSING_IN_LEDGER',
  'MISSING_IN_FILE',
  'DUPLICATE_ROW',
  'INVALID_ROW',
] as const;
export type ReconCode = (typeof RECON_CODES)[number];

/** Codes a file row can get; MISSING_IN_FILE belongs to the ledger side of the day. */
export type RowCode = Exclude<ReconCode, 'MISSING_IN_FILE'>;

export type ReconCounts = Record<ReconCode, number>;

export function emptyCounts(): ReconCounts {
  return Object.fromEntries(RECON_CODES.map((code) => [code, 0])) as ReconCounts;
}

/** The nine columns of a detail file, national platform names. */
export const RECON_COLUMNS = [
  'setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'acct_pay', 'acct_mulaid_pay', 'refd_setl_flag',
] as const;
export type ReconColumn = (typeof RECON_COLUMNS)[number];

/** Chinese header labels accepted for each column, in any mix with the English names. */
export const RECON_COLUMN_LABELS: Record<ReconColumn, readonly string[]> = {
  setl_id: ['结算ID'],
  mdtrt_id: ['就诊ID'],
  psn_no: ['人员编号'],
  fixmedins_code: ['定点医药机构编号'],
  setl_time: ['结算时间'],
  medfee_sumamt: ['医疗费总额'],
  acct_pay: ['个人账户支出'],
  acct_mulaid_pay: ['个人账户共济支付金额'],
  refd_setl_flag: ['退费结算标志'],
};

// ---------------------------------------------------------------------------------------------
// File names

/** Which institution and business day a file reports. */
export interface FileIdentity {
  fixmedinsCode: string;
  /** YYYY-MM-DD */
  businessDate: string;
}

/**
 * The kinds of inbox file, by the end of their name: our CSV detail file (SPEC 5), and the national
 * platform's 3202 detail file (plain or zipped) and 3201 totals file (SPEC 11).
 */
export const FILE_FORMATS = ['csv', '3202.txt', '3202.zip', '3201.txt'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface ReconFileName extends FileIdentity {
  format: FileFormat;
}

export const FILE_NAME_PATTERN = '{fixmedins_code}_{YYYYMMDD}.csv (or .3202.txt, .3202.zip, .3201.txt)';

// Institution codes are ASCII keys (e.g. H51010400001); the last underscore separates the date.
const FILE_NAME = /^([0-9A-Za-z_-]{1,30})_(\d{4})(\d{2})(\d{2})\.(csv|3202\.txt|3202\.zip|3201\.txt)$/;

/** `H001_20261123.csv` → H001 on 2026-11-23, csv; null when the name does not follow a pattern or the date is impossible. */
export function parseReconFileName(name: string): ReconFileName | null {
  const m = FILE_NAME.exec(name);
  if (!m) return null;
  const businessDate = `${m[2]}-${m[3]}-${m[4]}`;
  if (!parseShanghaiTime(businessDate)) return null;
  return { fixmedinsCode: m[1]!, businessDate, format: m[5] as FileFormat };
}

/** Detail files are judged row by row; a 3201 file holds totals only. */
export function isDetailFile(format: FileFormat): boolean {
  return format !== '3201.txt';
}

/**
 * The name a processed file is archived under. A corrected file arrives under the same name as the
 * one it corrects; the content hash in the name keeps both versions.
 */
export function archivedFileName(name: ReconFileName, sha256: string): string {
  return `${name.fixmedinsCode}_${name.businessDate.replaceAll('-', '')}.${sha256.slice(0, 8)}.${name.format}`;
}

// ---------------------------------------------------------------------------------------------
// Rows

/** A row that belongs to its file and can be compared with the ledger. Amounts in fen; null: the file has no such column. */
export interface ReconRow {
  setlId: string;
  psnNo: string;
  fixmedinsCode: string;
  medfeeSumamt: Fen;
  acctPay: Fen;
  /** Null in a 3202 file. */
  acctMulaidPay: Fen | null;
  /** Only a 3202 file has it. */
  fundPaySumamt: Fen | null;
}

export type RowCheck =
  | { valid: true; row: ReconRow }
  /** `setlId` is the raw cell (may be empty); `reasons` say everything wrong with the row. */
  | { valid: false; setlId: string; reasons: string[] };

/** Where each column sits in the file's records, and how many cells the header has. */
export interface RowLayout {
  columns: Record<ReconColumn, number>;
  width: number;
}

const AMOUNT_COLUMNS = ['medfee_sumamt', 'acct_pay', 'acct_mulaid_pay'] as const;

/**
 * SPEC 8: every one of the nine columns present (the row is as wide as the header); only mdtrt_id
 * may be empty; amounts `^-?\d+(\.\d{1,2})?$`; setl_time a Shanghai time on the file's business day;
 * refd_setl_flag 0 (all three amounts >= 0) or 1 (all three <= 0); fixmedins_code the file's own.
 */
export function checkRow(fields: readonly string[], layout: RowLayout, file: FileIdentity): RowCheck {
  // Nearly every row is valid: accept it in one pass without building reasons. Whatever this pass
  // does not accept is judged, with its reasons, by rowProblems.
  const c = layout.columns;
  if (fields.length === layout.width) {
    const setlId = fields[c.setl_id]!;
    const psnNo = fields[c.psn_no]!;
    const code = fields[c.fixmedins_code]!;
    const flag = fields[c.refd_setl_flag]!;
    const medfee = parseYuan(fields[c.medfee_sumamt]!);
    const acctPay = parseYuan(fields[c.acct_pay]!);
    const acctMulaidPay = parseYuan(fields[c.acct_mulaid_pay]!);
    if (
      setlId !== '' && psnNo !== '' && code === file.fixmedinsCode && isTimeOnDay(fields[c.setl_time]!, file.businessDate)
      && medfee !== null && acctPay !== null && acctMulaidPay !== null
      && (flag === '0' ? medfee >= 0 && acctPay >= 0 && acctMulaidPay >= 0 : flag === '1' && medfee <= 0 && acctPay <= 0 && acctMulaidPay <= 0)
    ) {
      // -0 (from "-0.00") is the same amount as 0.
      return {
        valid: true,
        row: { setlId, psnNo, fixmedinsCode: code, medfeeSumamt: medfee + 0, acctPay: acctPay + 0, acctMulaidPay: acctMulaidPay + 0, fundPaySumamt: null },
      };
    }
  }
  return rowProblems(fields, layout, file);
}

/** `YYYY-MM-DD HH:mm:ss` or `YYYY-MM-DD` on `day` (a valid date), as parseShanghaiTime reads them, without building a Date. */
function isTimeOnDay(text: string, day: string): boolean {
  if (text.length === 10) return text === day;
  if (text.length !== 19 || !text.startsWith(day) || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return false;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/** The number written by two ASCII digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** The full check, with every reason a row is invalid; the rare rows checkRow's first pass does not accept come here. */
function rowProblems(fields: readonly string[], layout: RowLayout, file: FileIdentity): RowCheck {
  const { columns } = layout;
  const cell = (column: ReconColumn) => fields[columns[column]];
  const setlId = cell('setl_id') ?? '';
  if (fields.length !== layout.width) {
    return { valid: false, setlId, reasons: [`wrong column count: ${fields.length} fields, the header has ${layout.width}`] };
  }
  const reasons: string[] = [];
  for (const column of RECON_COLUMNS) {
    if (column !== 'mdtrt_id' && cell(column) === '') reasons.push(`${column} is empty`);
  }
  if (reasons.length > 0) return { valid: false, setlId, reasons };

  const setlTime = parseShanghaiTime(cell('setl_time')!);
  if (!setlTime) reasons.push(`setl_time ${quote(cell('setl_time')!)} is not a time`);
  else if (setlTime.slice(0, 10) !== file.businessDate) reasons.push(`setl_time ${setlTime} is not on ${file.businessDate}`);

  const amounts: Fen[] = [];
  for (const column of AMOUNT_COLUMNS) {
    const fen = parseYuan(cell(column)!);
    if (fen === null) reasons.push(`${column} ${quote(cell(column)!)} is not an amount`);
    else amounts.push(fen);
  }
  const flag = cell('refd_setl_flag')!;
  if (flag !== '0' && flag !== '1') reasons.push(`refd_setl_flag ${quote(flag)} is not 0 or 1`);
  else if (amounts.length === AMOUNT_COLUMNS.length) {
    const wrongSign = AMOUNT_COLUMNS.filter((_, i) => (flag === '0' ? amounts[i]! < 0 : amounts[i]! > 0));
    if (wrongSign.length > 0) reasons.push(`${wrongSign.join(', ')} must be ${flag === '0' ? '>= 0 for a settlement (refd_setl_flag 0)' : '<= 0 for a refund (refd_setl_flag 1)'}`);
  }
  const code = cell('fixmedins_code')!;
  if (code !== file.fixmedinsCode) reasons.push(`fixmedins_code ${quote(code)} is not the file's institution ${file.fixmedinsCode}`);

  if (reasons.length > 0) return { valid: false, setlId, reasons };
  return {
    valid: true,
    row: {
      setlId, psnNo: cell('psn_no')!, fixmedinsCode: code, medfeeSumamt: amounts[0]! + 0, acctPay: amounts[1]! + 0, acctMulaidPay: amounts[2]! + 0,
      fundPaySumamt: null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Judging a row

/** The ledger's side of a settlement, as reconciliation needs it. */
export interface LedgerSettlement {
  id: number;
  setlId: string;
  psnNo: string;
  fixmedinsCode: string;
  /** YYYY-MM-DD: the Shanghai date of its setl_time. */
  businessDate: string;
  medfeeSumamt: Fen;
  acctPay: Fen;
  acctMulaidPay: Fen;
  /** Null when settlements.csv did not say (then not compared). */
  fundPaySumamt: Fen | null;
}

export interface Judgement {
  code: RowCode;
  detail: string;
}

/**
 * The one code of a file row, in the SPEC's order: INVALID_ROW first; then DUPLICATE_ROW for a
 * setl_id an earlier valid row of the file already had (`firstRow`); then the ledger, looked up by
 * setl_id over the whole ledger: MISSING_IN_LEDGER, WRONG_PAYEE (institution or patient; checked
 * before amounts), AMOUNT_MISMATCH (medfee_sumamt, acct_pay, and acct_mulaid_pay or
 * fund_pay_sumamt where both sides have them), MATCHED.
 */
/** `column file X, ledger Y` for each amount both sides know and that differs (unknown = null, not compared). */
export function amountDifferences(pairs: readonly (readonly [column: string, file: Fen | null, ledger: Fen | null])[]): string[] {
  return pairs.filter(([, file, led]) => file !== null && led !== null && file !== led)
    .map(([column, file, led]) => `${column} file ${formatYuan(file!)}, ledger ${formatYuan(led!)}`);
}

export function judgeRow(check: RowCheck, firstRow: number | undefined, ledger: LedgerSettlement | undefined): Judgement {
  if (!check.valid) return { code: 'INVALID_ROW', detail: check.reasons.join('; ') };
  if (firstRow !== undefined) return { code: 'DUPLICATE_ROW', detail: `setl_id already reported in row ${firstRow}` };
  const { row } = check;
  if (!ledger) return { code: 'MISSING_IN_LEDGER', detail: 'setl_id is not in the ledger' };
  const payee: string[] = [];
  if (ledger.fixmedinsCode !== row.fixmedinsCode) payee.push(`the ledger paid institution ${ledger.fixmedinsCode}`);
  if (ledger.psnNo !== row.psnNo) payee.push(`the ledger's patient is ${ledger.psnNo}, the file's ${quote(row.psnNo)}`);
  if (payee.length > 0) return { code: 'WRONG_PAYEE', detail: payee.join('; ') };
  const differences = amountDifferences([
    ['medfee_sumamt', row.medfeeSumamt, ledger.medfeeSumamt],
    ['fund_pay_sumamt', row.fundPaySumamt, ledger.fundPaySumamt],
    ['acct_pay', row.acctPay, ledger.acctPay],
    ['acct_mulaid_pay', row.acctMulaidPay, ledger.acctMulaidPay],
  ]);
  if (differences.length > 0) return { code: 'AMOUNT_MISMATCH', detail: differences.join('; ') };
  return MATCHED;
}

// Shared: a million matched rows need no million judgement objects.
const MATCHED: Judgement = Object.freeze({ code: 'MATCHED', detail: '' });

/**
 * A ledger settlement of the file's day and institution counts as reported only by a valid, first
 * occurrence of its setl_id in its own institution's file; whatever the row's other cells say
 * (a different patient or amount is reported, with another code, but not missing).
 */
export function reportsSettlement(check: RowCheck, firstRow: number | undefined, ledger: LedgerSettlement | undefined, file: FileIdentity): boolean {
  return check.valid && firstRow === undefined && ledger !== undefined
    && ledger.fixmedinsCode === file.fixmedinsCode && ledger.businessDate === file.businessDate;
}

export function missingInFileDetail(fileName: string | null): string {
  return fileName ? `settlement not reported in ${fileName}` : 'no file received from the institution';
}

// ---------------------------------------------------------------------------------------------
// Export

export const EXPORT_COLUMNS = [
  'business_date', 'fixmedins_code', 'setl_id', 'code', 'file_acct_pay', 'file_acct_mulaid_pay', 'ledger_acct_pay',
  'ledger_acct_mulaid_pay', 'file', 'row', 'detail',
] as const;

/** One stored (non-MATCHED) outcome. The file side is null for INVALID_ROW and MISSING_IN_FILE; the ledger side whenever the setl_id is not in the ledger. */
export interface ReconOutcome {
  businessDate: string;
  /** The file's institution; the ledger's for MISSING_IN_FILE. */
  fixmedinsCode: string;
  /** The raw cell (may be empty). */
  setlId: string;
  code: ReconCode;
  fileAcctPay: Fen | null;
  fileAcctMulaidPay: Fen | null;
  ledgerAcctPay: Fen | null;
  ledgerAcctMulaidPay: Fen | null;
  /** Base name of the file; for MISSING_IN_FILE the institution's latest file, or null when it sent none. */
  file: string | null;
  /** 1-based data-record number; null for MISSING_IN_FILE. */
  row: number | null;
  detail: string;
}

const yuanOrEmpty = (fen: Fen | null) => (fen === null ? '' : formatYuan(fen));

/** The cells of one export line, in EXPORT_COLUMNS order (spreadsheet safety is the CSV writer's job). */
export function exportCells(o: ReconOutcome): string[] {
  return [
    o.businessDate, o.fixmedinsCode, o.setlId, o.code, yuanOrEmpty(o.fileAcctPay), yuanOrEmpty(o.fileAcctMulaidPay),
    yuanOrEmpty(o.ledgerAcctPay), yuanOrEmpty(o.ledgerAcctMulaidPay), o.file ?? '', o.row === null ? '' : String(o.row), o.detail,
  ];
}

export const COUNTS_COLUMNS = ['business_date', 'fixmedins_code', ...RECON_CODES] as const;

export interface InstitutionCounts {
  fixmedinsCode: string;
  counts: ReconCounts;
}

export function countsCells(businessDate: string, c: InstitutionCounts): string[] {
  return [businessDate, c.fixmedinsCode, ...RECON_CODES.map((code) => String(c.counts[code]))];
}
