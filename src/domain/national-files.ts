import { formatYuan, parseYuan, type Fen } from './money.ts';
import { amountDifferences, type FileIdentity, type ReconCode, type RowCheck } from './reconciliation.ts';

/**
 * The national platform's files (SPEC 11): 3202 detail rows and their answer lines, 3201 totals and
 * their comparison with the ledger. Tab-separated, no header, the literal `null` for an empty field.
 */

export const DETAIL_FIELDS = ['setl_id', 'mdtrt_id', 'psn_no', 'medfee_sumamt', 'fund_pay_sumamt', 'acct_pay', 'refd_setl_flag'] as const;
export const TOTALS_FIELDS = ['insutype', 'clr_type', 'medfee_sumamt', 'fund_pay_sumamt', 'acct_pay', 'fixmedins_setl_cnt'] as const;

const NULL = 'null';

/** A cell's value: '' for the literal `null` (and for a cell the record lacks). */
export function cellValue(text: string | undefined): string {
  return text === undefined || text === NULL ? '' : text;
}

const answerCell = (text: string | undefined) => {
  const value = cellValue(text);
  return value === '' ? NULL : value;
};
const answerAmount = (fen: Fen | null | undefined) => (fen === null || fen === undefined ? NULL : formatYuan(fen));

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

// ---------------------------------------------------------------------------------------------
// 3202 detail rows

const AMOUNT_FIELDS = ['medfee_sumamt', 'fund_pay_sumamt', 'acct_pay'] as const;

/**
 * A 3202 row as checkRow checks a CSV row (SPEC 8, 11): seven fields; only mdtrt_id may be empty;
 * amounts `^-?\d+(\.\d{1,2})?$`; refd_setl_flag 0 (all three amounts >= 0) or 1 (all <= 0). A row
 * carries no institution or time: it is the file's institution's, on the file's day.
 */
export function checkDetailRow(fields: readonly string[], file: FileIdentity): RowCheck {
  if (fields.length !== DETAIL_FIELDS.length) {
    return { valid: false, setlId: cellValue(fields[0]), reasons: [`wrong field count: ${fields.length} tab-separated fields, ${DETAIL_FIELDS.length} expected`] };
  }
  const setlId = cellValue(fields[0]);
  const psnNo = cellValue(fields[2]);
  const medfee = parseYuan(cellValue(fields[3]));
  const fund = parseYuan(cellValue(fields[4]));
  const acct = parseYuan(cellValue(fields[5]));
  const amounts = [medfee, fund, acct];
  const flag = fields[6]!;
  if (
    setlId !== '' && psnNo !== '' && medfee !== null && fund !== null && acct !== null
    && (flag === '0' ? medfee >= 0 && fund >= 0 && acct >= 0 : flag === '1' && medfee <= 0 && fund <= 0 && acct <= 0)
  ) {
    // -0 (from "-0.00") is the same amount as 0.
    return {
      valid: true,
      row: { setlId, psnNo, fixmedinsCode: file.fixmedinsCode, medfeeSumamt: medfee + 0, fundPaySumamt: fund + 0, acctPay: acct + 0, acctMulaidPay: null },
    };
  }
  const reasons: string[] = [];
  DETAIL_FIELDS.forEach((name, i) => {
    if (name !== 'mdtrt_id' && cellValue(fields[i]) === '') reasons.push(`${name} is empty`);
  });
  if (reasons.length > 0) return { valid: false, setlId, reasons };
  AMOUNT_FIELDS.forEach((name, i) => {
    if (amounts[i] === null) reasons.push(`${name} ${quote(fields[3 + i]!)} is not an amount`);
  });
  if (flag !== '0' && flag !== '1') reasons.push(`refd_setl_flag ${quote(flag)} is not 0 or 1`);
  else if (reasons.length === 0) {
    const wrongSign = AMOUNT_FIELDS.filter((_, i) => (flag === '0' ? amounts[i]! < 0 : amounts[i]! > 0));
    reasons.push(`${wrongSign.join(', ')} must be ${flag === '0' ? '>= 0 for a settlement (refd_setl_flag 0)' : '<= 0 for a refund (refd_setl_flag 1)'}`);
  }
  return { valid: false, setlId, reasons };
}

// ---------------------------------------------------------------------------------------------
// 3202 answers

/** stmt_rslt of each code: 0 matched, 1 only the centre has it, 2 only the institution, 3 both but they differ. */
export const STMT_RSLT: Record<ReconCode, number> = {
  MATCHED: 0, MISSING_IN_FILE: 1, MISSING_IN_LEDGER: 2, INVALID_ROW: 2, AMOUNT_MISMATCH: 3, WRONG_PAYEE: 3, DUPLICATE_ROW: 3,
};

export const ANSWER_FIELDS = [
  'setl_id', 'mdtrt_id', 'psn_no', 'stmt_rslt', 'refd_setl_flag', 'memo', 'medfee_sumamt', 'fund_pay_sumamt', 'acct_pay',
] as const;

/** The ledger's amounts on an answer line. */
export interface AnswerAmounts {
  medfeeSumamt: Fen;
  fundPaySumamt: Fen | null;
  acctPay: Fen;
}

/**
 * A row's answer line as it reads when the row is MATCHED: the file's setl_id, mdtrt_id, psn_no and
 * refd_setl_flag, and as the ledger's amounts the row's own (equal when matched). Built where the
 * row is read; answerLine rewrites it for any other outcome.
 */
export function matchedAnswerLine(fields: readonly string[] | undefined, check: RowCheck): string {
  const head = `${answerCell(fields?.[0] ?? (check.valid ? check.row.setlId : check.setlId))}\t${answerCell(fields?.[1])}\t${answerCell(fields?.[2])}`;
  const flag = answerCell(fields?.[6]);
  if (!check.valid) return `${head}\t0\t${flag}\tMATCHED\tnull\tnull\tnull\n`;
  const { row } = check;
  return `${head}\t0\t${flag}\tMATCHED\t${formatYuan(row.medfeeSumamt)}\t${answerAmount(row.fundPaySumamt)}\t${formatYuan(row.acctPay)}\n`;
}

/** The answer line of a row judged `code`, from its matched line; `ledger`: the settlement with its setl_id, if any. */
export function answerLine(matched: string, code: ReconCode, ledger: AnswerAmounts | undefined): string {
  const [setlId, mdtrtId, psnNo, , flag] = matched.split('\t', 5);
  return `${setlId}\t${mdtrtId}\t${psnNo}\t${STMT_RSLT[code]}\t${flag}\t${code}\t${answerAmount(ledger?.medfeeSumamt)}\t${answerAmount(ledger?.fundPaySumamt)}\t${answerAmount(ledger?.acctPay)}\n`;
}

/** A ledger settlement the file lacks (MISSING_IN_FILE), with the ledger's cells. */
export interface LackingSettlement extends AnswerAmounts {
  setlId: string;
  mdtrtId: string | null;
  psnNo: string;
  refund: boolean;
}

export function lackingAnswerLine(s: LackingSettlement): string {
  return `${s.setlId}\t${answerCell(s.mdtrtId ?? '')}\t${s.psnNo}\t${STMT_RSLT.MISSING_IN_FILE}\t${s.refund ? 1 : 0}\tMISSING_IN_FILE\t${formatYuan(s.medfeeSumamt)}\t${answerAmount(s.fundPaySumamt)}\t${formatYuan(s.acctPay)}\n`;
}

// ---------------------------------------------------------------------------------------------
// 3201 totals

/** One (insutype, clr_type) group's totals; null insutype or clr_type: the group of settlements where it is unknown. */
export interface TotalsGroup {
  insutype: string | null;
  clrType: string | null;
  medfeeSumamt: Fen;
  /** Null: not known for every settlement of the group (ledger), or null in the file; then not compared. */
  fundPaySumamt: Fen | null;
  acctPay: Fen;
  count: number;
}

/** A line of a 3201 file: its group's totals, or why it cannot be compared. */
export type TotalsLine =
  | { line: number; group: TotalsGroup }
  | { line: number; insutype: string | null; clrType: string | null; problem: string };

const orNull = (text: string) => (text === '' ? null : text);

export function parseTotalsLine(fields: readonly string[], line: number): TotalsLine {
  const insutype = orNull(cellValue(fields[0]));
  const clrType = orNull(cellValue(fields[1]));
  if (fields.length !== TOTALS_FIELDS.length) {
    return { line, insutype, clrType, problem: `wrong field count: ${fields.length} tab-separated fields, ${TOTALS_FIELDS.length} expected` };
  }
  const problems: string[] = [];
  const amount = (i: number, optional: boolean) => {
    const text = cellValue(fields[i]);
    if (text === '' && optional) return null;
    const fen = parseYuan(text);
    if (fen === null) problems.push(`${TOTALS_FIELDS[i]} ${quote(fields[i]!)} is not an amount`);
    return fen ?? 0;
  };
  const medfeeSumamt = amount(2, false)!;
  const fundPaySumamt = amount(3, true);
  const acctPay = amount(4, false)!;
  const countText = cellValue(fields[5]);
  if (!/^\d{1,9}$/.test(countText)) problems.push(`fixmedins_setl_cnt ${quote(fields[5]!)} is not a count`);
  if (problems.length > 0) return { line, insutype, clrType, problem: problems.join('; ') };
  return { line, group: { insutype, clrType, medfeeSumamt: medfeeSumamt + 0, fundPaySumamt: fundPaySumamt === null ? null : fundPaySumamt + 0, acctPay: acctPay + 0, count: Number(countText) } };
}

export interface TotalsAnswer {
  insutype: string | null;
  clrType: string | null;
  balanced: boolean;
  description: string;
}

const groupKey = (g: { insutype: string | null; clrType: string | null }) => `${g.insutype ?? '\u0000'}\u0001${g.clrType ?? '\u0000'}`;
const groupName = (g: { insutype: string | null; clrType: string | null }) => `insutype ${g.insutype ?? NULL}, clr_type ${g.clrType ?? NULL}`;

function totalsText(g: TotalsGroup): string {
  return `medfee_sumamt ${formatYuan(g.medfeeSumamt)}, fund_pay_sumamt ${answerAmount(g.fundPaySumamt)}, acct_pay ${formatYuan(g.acctPay)}, fixmedins_setl_cnt ${g.count}`;
}

/**
 * SPEC 11: each line of the file against the ledger's group of the same (insutype, clr_type); then
 * one line per ledger group the file lacks, in group order. The totals balance only when every line
 * equals its ledger group and every ledger group has a line.
 */
export function compareTotals(lines: readonly TotalsLine[], ledger: readonly TotalsGroup[]): { balanced: boolean; answers: TotalsAnswer[] } {
  const ledgerGroups = new Map(ledger.map((g) => [groupKey(g), g]));
  const listed = new Map<string, number>();
  const answers: TotalsAnswer[] = lines.map((l): TotalsAnswer => {
    if (!('group' in l)) return { insutype: l.insutype, clrType: l.clrType, balanced: false, description: `line ${l.line}: ${l.problem}` };
    const { group } = l;
    const key = groupKey(group);
    const unbalanced = (description: string) => ({ insutype: group.insutype, clrType: group.clrType, balanced: false, description });
    const earlier = listed.get(key);
    if (earlier !== undefined) return unbalanced(`${groupName(group)} already listed in line ${earlier}`);
    listed.set(key, l.line);
    const own = ledgerGroups.get(key);
    if (!own) return unbalanced(`extra group: the ledger has no settlement of ${groupName(group)}`);
    const differences = amountDifferences([
      ['medfee_sumamt', group.medfeeSumamt, own.medfeeSumamt],
      ['fund_pay_sumamt', group.fundPaySumamt, own.fundPaySumamt],
      ['acct_pay', group.acctPay, own.acctPay],
    ]);
    if (group.count !== own.count) differences.push(`fixmedins_setl_cnt file ${group.count}, ledger ${own.count}`);
    return differences.length > 0 ? unbalanced(differences.join('; ')) : { insutype: group.insutype, clrType: group.clrType, balanced: true, description: 'balanced' };
  });
  const missing = ledger.filter((g) => !listed.has(groupKey(g))).sort((a, b) => (groupKey(a) < groupKey(b) ? -1 : groupKey(a) > groupKey(b) ? 1 : 0));
  for (const g of missing) {
    answers.push({ insutype: g.insutype, clrType: g.clrType, balanced: false, description: `missing group: the ledger has ${totalsText(g)}` });
  }
  return { balanced: answers.every((a) => a.balanced), answers };
}

export function totalsAnswerLine(a: TotalsAnswer): string {
  return `${a.insutype ?? NULL}\t${a.clrType ?? NULL}\t${a.balanced ? 0 : 1}\t${a.description}\n`;
}
