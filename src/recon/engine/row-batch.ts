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
  acctPay: Float64Array;
  acctMulaidPay: Float64Array;
  /** The rows' setl_ids end to end; row i's ends at setlIdEnds[i]. */
  setlIdText: string;
  setlIdEnds: Uint32Array;
  /** The rows' psn_nos end to end ('' for an invalid row). */
  psnNoText: string;
  psnNoEnds: Uint32Array;
  /** The reasons of invalid rows, by index (they are rare). */
  reasons: Map<number, string[]>;
}

export class RowBatch {
  constructor(readonly data: RowBatchData) {}

  get size(): number {
    return this.data.size;
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
    const { valid, reasons, acctPay, acctMulaidPay } = this.data;
    if (valid[i] === 0) return { valid: false, setlId: this.setlId(i), reasons: reasons.get(i)! };
    return {
      valid: true,
      row: { setlId: this.setlId(i), psnNo: this.psnNo(i), fixmedinsCode: identity.fixmedinsCode, acctPay: acctPay[i]!, acctMulaidPay: acctMulaidPay[i]! },
    };
  }
}

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
  private readonly acctPay = new Float64Array(ROW_BATCH);
  private readonly acctMulaidPay = new Float64Array(ROW_BATCH);
  private readonly setlIds: string[] = [];
  private readonly setlIdEnds = new Uint32Array(ROW_BATCH);
  private readonly psnNos: string[] = [];
  private readonly psnNoEnds = new Uint32Array(ROW_BATCH);
  private readonly reasons = new Map<number, string[]>();
  private setlIdLength = 0;
  private psnNoLength = 0;

  get full(): boolean {
    return this.size === ROW_BATCH;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  push(row: number, check: RowCheck): void {
    const i = this.size++;
    this.rows[i] = row;
    const setlId = check.valid ? check.row.setlId : check.setlId;
    const psnNo = check.valid ? check.row.psnNo : '';
    if (check.valid) {
      this.valid[i] = 1;
      this.acctPay[i] = check.row.acctPay;
      this.acctMulaidPay[i] = check.row.acctMulaidPay;
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
      size: this.size, rows: this.rows, valid: this.valid, acctPay: this.acctPay, acctMulaidPay: this.acctMulaidPay,
      setlIdText: this.setlIds.join(''), setlIdEnds: this.setlIdEnds, psnNoText: this.psnNos.join(''), psnNoEnds: this.psnNoEnds,
      reasons: this.reasons,
    };
    const transfer = [this.rows, this.valid, this.acctPay, this.acctMulaidPay, this.setlIdEnds, this.psnNoEnds].map((array) => array.buffer as ArrayBuffer);
    return { data, transfer };
  }
}
