import type { Pool } from 'mysql2/promise';
import { env } from '../../config/env.ts';
import type { FileIdentity, LedgerSettlement } from '../../domain/reconciliation.ts';
import { ByteStrings, PagedNumbers } from './byte-strings.ts';
import { compactHeap } from './heap.ts';
import { KeyIndex } from './key-index.ts';
import { PackedIds } from './packed-ids.ts';
import { streamDaySettlements, type DaySettlementRow } from '../recon.repository.ts';

/**
 * The ledger's settlements of one institution and day, by setl_id, held in memory while its file is
 * reconciled: one sequential read of the day index instead of a million key lookups, which cost the
 * database about ten times more. About 70 bytes per settlement, outside the JavaScript heap.
 */
export class DaySettlements {
  private readonly index: KeyIndex;
  /** Per entry: the file row that first reported it, or 0. */
  private readonly firstRows = new PagedNumbers(Uint32Array);
  private readonly ids = new PagedNumbers(Float64Array);
  /** Amounts in fen as 32-bit integers; an entry with one beyond them (21 million yuan) has LARGE in both and its amounts in `largeAmounts`. */
  private readonly acctPay = new PagedNumbers(Int32Array);
  private readonly acctMulaidPay = new PagedNumbers(Int32Array);
  private readonly largeAmounts = new Map<number, { acctPay: number; acctMulaidPay: number }>();
  private readonly psnOffsets = new PagedNumbers(Uint32Array);
  private readonly psnNos = new ByteStrings();
  /** psn_nos ByteStrings cannot hold, by entry. */
  private readonly otherPsnNos = new Map<number, string>();
  /** The entry after the one last found. */
  private next = 0;

  /** `expected`: about how many settlements will be added (saves growing the table). */
  constructor(
    private readonly file: FileIdentity,
    expected = 0,
  ) {
    this.index = new KeyIndex(expected);
  }

  get size(): number {
    return this.index.size;
  }

  add([setlId, id, psnNo, acctPay, acctMulaidPay]: DaySettlementRow): void {
    const e = this.index.findOrAdd(setlId);
    // setl_id is unique in the ledger: a key seen twice (which one query cannot return) is ignored.
    if (!this.index.added) return;
    this.ids.set(e, id);
    const fits = acctPay === (acctPay | 0) && acctPay !== LARGE && acctMulaidPay === (acctMulaidPay | 0) && acctMulaidPay !== LARGE;
    this.acctPay.set(e, fits ? acctPay : LARGE);
    this.acctMulaidPay.set(e, fits ? acctMulaidPay : LARGE);
    if (!fits) this.largeAmounts.set(e, { acctPay, acctMulaidPay });
    if (ByteStrings.fits(psnNo)) this.psnOffsets.set(e, this.psnNos.push(psnNo));
    else this.otherPsnNos.set(e, psnNo);
  }

  /** The entry of the day's settlement with this setl_id (`text`, or its characters from `start` to `end`), or -1. */
  find(text: string, start = 0, end = text.length): number {
    // Files usually list settlements in setl_id order, the order they were read in: try the entry after the last one found first.
    const e = this.index.isKey(this.next, text, start, end) ? this.next : this.index.find(text, start, end);
    if (e >= 0) this.next = e + 1;
    return e;
  }

  /**
   * The settlement of entry `e` (whose key is `setlId`). `filePsnNo` is what the file says: when it
   * is the ledger's too, that very string is returned rather than a new one.
   */
  settlement(e: number, setlId: string, filePsnNo: string): LedgerSettlement {
    const other = this.otherPsnNos.size === 0 ? undefined : this.otherPsnNos.get(e);
    const offset = this.psnOffsets.get(e);
    const psnNo = other ?? (this.psnNos.equals(offset, filePsnNo) ? filePsnNo : this.psnNos.get(offset));
    return {
      id: this.ids.get(e), setlId, psnNo, fixmedinsCode: this.file.fixmedinsCode, businessDate: this.file.businessDate,
      ...this.amounts(e),
    };
  }

  /** Whether entry `e` has this patient (`text`, or its characters from `start` to `end`) and these amounts. */
  matches(e: number, text: string, start: number, end: number, acctPay: number, acctMulaidPay: number): boolean {
    const pay = this.acctPay.get(e);
    if (pay === LARGE) {
      const large = this.largeAmounts.get(e)!;
      if (large.acctPay !== acctPay || large.acctMulaidPay !== acctMulaidPay) return false;
    } else if (pay !== acctPay || this.acctMulaidPay.get(e) !== acctMulaidPay) {
      return false;
    }
    const other = this.otherPsnNos.size === 0 ? undefined : this.otherPsnNos.get(e);
    return other === undefined ? this.psnNos.equals(this.psnOffsets.get(e), text, start, end) : other === text.slice(start, end);
  }

  private amounts(e: number): { acctPay: number; acctMulaidPay: number } {
    const acctPay = this.acctPay.get(e);
    return acctPay === LARGE ? this.largeAmounts.get(e)! : { acctPay, acctMulaidPay: this.acctMulaidPay.get(e) };
  }

  id(e: number): number {
    return this.ids.get(e);
  }

  /** The ids of the settlements no valid row reported (firstRowOf was never asked about them). */
  unreportedIds(): PackedIds {
    const unreported = new PackedIds();
    for (let e = 0; e < this.size; e++) if (this.firstRows.get(e) === 0) unreported.add(this.ids.get(e));
    return unreported;
  }

  /** As FirstRows.firstRowOf, for the setl_id of entry `e`. */
  firstRowOf(e: number, row: number): number | undefined {
    const first = this.firstRows.get(e);
    if (first !== 0) return first;
    this.firstRows.set(e, row);
    return undefined;
  }
}

const LARGE = -(2 ** 31);
const COMPACT_EVERY = 50_000;

/**
 * The institution's settlements of the day, or null when there are more than
 * RECON_MAX_DAY_SETTLEMENTS. Not counted first: on a day index larger than the buffer pool a count
 * costs as much as a third of the read itself. `expected`: about how many there are (sizes the table).
 */
export async function loadDaySettlements(pool: Pool, file: FileIdentity, expected = 0): Promise<DaySettlements | null> {
  const max = env().RECON_MAX_DAY_SETTLEMENTS;
  const day = new DaySettlements(file, Math.min(expected, max));
  let nextCompaction = COMPACT_EVERY;
  const rows = await streamDaySettlements(pool, file, max + 1, (row) => {
    if (day.size === max) return;
    day.add(row);
    if (day.size === nextCompaction) {
      nextCompaction += COMPACT_EVERY;
      compactHeap();
    }
  });
  return rows > max ? null : day;
}
