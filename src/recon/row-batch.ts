import type { FileIdentity, RowCheck } from '../domain/reconciliation.ts';

/** Rows per batch: what one ledger lookup (of keys not among the day's settlements) asks about at most. */
export const ROW_BATCH = 4000;

/**
 * Checked rows on their way to be judged, kept as primitives in typed arrays: row objects held
 * across a ledger lookup's round trip would survive young-generation collections and be copied into
 * the old one, which at a million rows costs more than everything else done with them.
 */
export class RowBatch {
  size = 0;
  readonly rows = new Uint32Array(ROW_BATCH);
  /** 1 for a row that passed checkRow. */
  readonly valid = new Uint8Array(ROW_BATCH);
  readonly acctPay = new Float64Array(ROW_BATCH);
  readonly acctMulaidPay = new Float64Array(ROW_BATCH);
  readonly setlIds: string[] = [];
  /** '' for an invalid row. */
  readonly psnNos: string[] = [];
  /** The reasons of invalid rows, by index (they are rare). */
  readonly reasons = new Map<number, string[]>();

  get full(): boolean {
    return this.size === ROW_BATCH;
  }

  push(row: number, check: RowCheck): void {
    const i = this.size++;
    this.rows[i] = row;
    if (check.valid) {
      this.valid[i] = 1;
      this.setlIds.push(check.row.setlId);
      this.psnNos.push(check.row.psnNo);
      this.acctPay[i] = check.row.acctPay;
      this.acctMulaidPay[i] = check.row.acctMulaidPay;
    } else {
      this.setlIds.push(check.setlId);
      this.psnNos.push('');
      this.reasons.set(i, check.reasons);
    }
  }

  /** The check of row `i` again, as checkRow gave it. */
  check(i: number, identity: FileIdentity): RowCheck {
    if (this.valid[i] === 0) return { valid: false, setlId: this.setlIds[i]!, reasons: this.reasons.get(i)! };
    return {
      valid: true,
      row: { setlId: this.setlIds[i]!, psnNo: this.psnNos[i]!, fixmedinsCode: identity.fixmedinsCode, acctPay: this.acctPay[i]!, acctMulaidPay: this.acctMulaidPay[i]! },
    };
  }
}
