import type { FileIdentity, RowCheck } from '../../domain/reconciliation.ts';

/** Rows per batch: what one ledger lookup (of keys not among the day's settlements) asks about at most. */
export const ROW_BATCH = 4000;

/**
 * Checked rows on their way from the reading thread to be judged. Numbers are kept in typed arrays
 * (whose buffers are handed over, not copied) and each text column as one string of all the rows'
 * values end to end: a batch is two strings on the judging thread's heap, not eight thousand, and
 * a value is looked up where it lies in that string. Strings per row are cut out only for the few
 * rows that are not simply MATCHED.
 */
export interface RowBatchData {
  size: number;
  rows: Uint32Array;
  /** 1 for a row that passed checkRow. */
  valid: Uint8Array;
  /** Amounts in fen; NaN where the file has no such column (acct_mulaid_pay in 3202, fund_pay_sumamt in CSV). */
  medfeeSumamt: Float64Array;
  acctPay: Float64Array;
  acctMulaidPay: Float64Array;
  fundPaySumamt: Float64Array;
  /** The rows' setl_ids end to end; row i's ends at setlIdEnds[i]. */
  setlIdText: string;
  setlIdEnds: Uint32Array;
  /** The rows' psn_nos end to end ('' for an invalid row). */
  psnNoText: string;
  psnNoEnds: Uint32Array;
  /** The reasons of invalid rows, by index (they are rare). */
  reasons: Map<number, string[]>;
  /**
   * 3202 files only: each row's answer line as it reads when MATCHED (see domain/national-files),
   * in UTF-8, end to end; row i's ends at byte answerEnds[i]. Built on the reading thread, where it
   * costs no judging time, and handed over as bytes: written to the answers as they are, they are
   * never strings on the judging thread, and never garbage on either.
   */
  answerBytes?: Uint8Array;
  answerEnds?: Uint32Array;
}

export class RowBatch {
  constructor(readonly data: RowBatchData) {}

  get size(): number {
    return this.data.size;
  }

  /** About what the batch holds in memory: its arrays, and its texts at a byte a character. */
  get bytes(): number {
    const d = this.data;
    return arraysOf(d).reduce((n, a) => n + a.byteLength, 0) + d.setlIdText.length + d.psnNoText.length;
  }

  setlIdStart(i: number): number {
    return i === 0 ? 0 : this.data.setlIdEnds[i - 1]!;
  }

  psnNoStart(i: number): number {
    return i === 0 ? 0 : this.data.psnNoEnds[i - 1]!;
  }

  setlId(i: number): string {
    return this.data.setlIdText.slice(this.setlIdStart(i), this.data.setlIdEnds[i]);
  }

  psnNo(i: number): string {
    return this.data.psnNoText.slice(this.psnNoStart(i), this.data.psnNoEnds[i]);
  }

  /** The check of row `i` again, as checkRow gave it. */
  check(i: number, identity: FileIdentity): RowCheck {
    const { valid, reasons, medfeeSumamt, acctPay, acctMulaidPay, fundPaySumamt } = this.data;
    if (valid[i] === 0) return { valid: false, setlId: this.setlId(i), reasons: reasons.get(i)! };
    return {
      valid: true,
      row: {
        setlId: this.setlId(i), psnNo: this.psnNo(i), fixmedinsCode: identity.fixmedinsCode, medfeeSumamt: medfeeSumamt[i]!, acctPay: acctPay[i]!,
        acctMulaidPay: orNull(acctMulaidPay[i]!), fundPaySumamt: orNull(fundPaySumamt[i]!),
      },
    };
  }

  /** Row i's answer line when MATCHED (3202 files). */
  answer(i: number): string {
    return Buffer.from(this.answers(i, i + 1)).toString('utf8');
  }

  /** The answer lines when MATCHED of rows [from, to) (3202 files), end to end, as UTF-8 (a view, not a copy). */
  answers(from: number, to: number): Uint8Array {
    const ends = this.data.answerEnds!;
    const bytes = this.data.answerBytes!;
    return from >= to ? bytes.subarray(0, 0) : bytes.subarray(from === 0 ? 0 : ends[from - 1]!, ends[to - 1]);
  }
}

const orNull = (amount: number): number | null => (Number.isNaN(amount) ? null : amount);
const orNaN = (amount: number | null): number => (amount === null ? Number.NaN : amount);

/** Bytes first set aside for a batch's answer lines: about a hundred a row. */
const ANSWER_BYTES = ROW_BATCH * 128;

/** Builds each row's answer line (3202 files) as it is pushed. */
export type AnswerLine = (fields: readonly string[] | undefined, check: RowCheck) => string;

export interface BuiltBatch {
  data: RowBatchData;
  /** The buffers a postMessage of `data` can hand over instead of copying. */
  transfer: ArrayBuffer[];
}

/** Collects checked rows into a RowBatchData (on the reading thread). */
export class RowBatchBuilder {
  private size = 0;
  private readonly rows = new Uint32Array(ROW_BATCH);
  private readonly valid = new Uint8Array(ROW_BATCH);
  private readonly medfeeSumamt = new Float64Array(ROW_BATCH);
  private readonly acctPay = new Float64Array(ROW_BATCH);
  private readonly acctMulaidPay = new Float64Array(ROW_BATCH);
  private readonly fundPaySumamt = new Float64Array(ROW_BATCH);
  private readonly setlIds: string[] = [];
  private readonly setlIdEnds = new Uint32Array(ROW_BATCH);
  private readonly psnNos: string[] = [];
  private readonly psnNoEnds = new Uint32Array(ROW_BATCH);
  private readonly reasons = new Map<number, string[]>();
  private setlIdLength = 0;
  private psnNoLength = 0;
  private answerBytes: Buffer | undefined;
  private readonly answerEnds: Uint32Array<ArrayBuffer> | undefined;
  private answerLength = 0;

  /** `answerLine`: given for 3202 files, whose rows are answered line by line. */
  constructor(private readonly answerLine?: AnswerLine) {
    if (answerLine) {
      this.answerEnds = new Uint32Array(ROW_BATCH);
      this.answerBytes = Buffer.allocUnsafeSlow(ANSWER_BYTES);
    }
  }

  get full(): boolean {
    return this.size === ROW_BATCH;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  /** `fields`: the record's cells (undefined for a record that could not be read). */
  push(row: number, check: RowCheck, fields?: readonly string[]): void {
    const i = this.size++;
    this.rows[i] = row;
    const setlId = check.valid ? check.row.setlId : check.setlId;
    const psnNo = check.valid ? check.row.psnNo : '';
    if (this.answerLine) {
      const answer = this.answerLine(fields, check);
      // At most three bytes a UTF-16 unit: grown before a line could overflow it.
      if (this.answerLength + answer.length * 3 > this.answerBytes!.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(this.answerBytes!.length * 2, this.answerLength + answer.length * 3));
        this.answerBytes!.copy(grown, 0, 0, this.answerLength);
        this.answerBytes = grown;
      }
      this.answerEnds![i] = this.answerLength += this.answerBytes!.write(answer, this.answerLength, 'utf8');
    }
    if (check.valid) {
      this.valid[i] = 1;
      this.medfeeSumamt[i] = check.row.medfeeSumamt;
      this.acctPay[i] = check.row.acctPay;
      this.acctMulaidPay[i] = orNaN(check.row.acctMulaidPay);
      this.fundPaySumamt[i] = orNaN(check.row.fundPaySumamt);
    } else {
      this.reasons.set(i, check.reasons);
    }
    this.setlIds.push(setlId);
    this.setlIdEnds[i] = this.setlIdLength += setlId.length;
    this.psnNos.push(psnNo);
    this.psnNoEnds[i] = this.psnNoLength += psnNo.length;
  }

  build(): BuiltBatch {
    const data: RowBatchData = {
      size: this.size, rows: this.rows, valid: this.valid, medfeeSumamt: this.medfeeSumamt, acctPay: this.acctPay, acctMulaidPay: this.acctMulaidPay,
      fundPaySumamt: this.fundPaySumamt, setlIdText: this.setlIds.join(''), setlIdEnds: this.setlIdEnds, psnNoText: this.psnNos.join(''),
      psnNoEnds: this.psnNoEnds, reasons: this.reasons,
    };
    if (this.answerEnds) {
      // A buffer of its own (allocUnsafeSlow), so handing it over takes nothing else along.
      data.answerBytes = new Uint8Array(this.answerBytes!.buffer, 0, this.answerLength);
      data.answerEnds = this.answerEnds;
    }
    return { data, transfer: arraysOf(data).map((array) => array.buffer as ArrayBuffer) };
  }
}

/** A batch's typed arrays: most of its memory, and what a postMessage hands over instead of copying. */
function arraysOf(d: RowBatchData): ArrayBufferView[] {
  const arrays: ArrayBufferView[] = [d.rows, d.valid, d.medfeeSumamt, d.acctPay, d.acctMulaidPay, d.fundPaySumamt, d.setlIdEnds, d.psnNoEnds];
  if (d.answerEnds) arrays.push(d.answerEnds, d.answerBytes!);
  return arrays;
}
