import { formatYuan, type Fen } from './money.ts';

/** What the tax bureau's receipt says about an order (SPEC 10). */
export type ReceiptOutcome = 'RECEIVED' | 'AMOUNT_DIFFERS' | 'UNKNOWN_ORDER' | 'ALREADY_PAID' | 'DOUBLE_PAID';

export interface Receipt {
  channel: 'family_account' | 'other';
  amount: Fen;
}

/** The order a receipt names, as it stands (locked) when the receipt is applied. */
export interface ReceiptOrder {
  status: 'pending' | 'paid' | 'failed' | 'skipped' | 'refunded';
  failureCode: string | null;
  premium: Fen;
}

export interface ReceiptJudgement {
  outcome: ReceiptOutcome;
  detail: string;
  /** The order was paid through another channel before we charged it: it becomes skipped / ALREADY_PAID. */
  skipOrder: boolean;
}

/**
 * Matches one receipt to its order. `family_account`: the bureau received our payment, which must
 * be a paid order of the same amount. `other`: the person paid elsewhere; an order not yet paid is
 * never charged, a paid one is a double payment to refund. `missing` says why there is no order.
 */
export function judgeReceipt(receipt: Receipt, order: ReceiptOrder | null, missing = 'no order'): ReceiptJudgement {
  if (!order) return { outcome: 'UNKNOWN_ORDER', detail: missing, skipOrder: false };
  const amounts = `order premium ${formatYuan(order.premium)}, receipt ${formatYuan(receipt.amount)}`;
  if (receipt.channel === 'family_account') {
    if (order.status !== 'paid') return { outcome: 'UNKNOWN_ORDER', detail: `no family-account payment to match: the order is ${order.status}`, skipOrder: false };
    if (order.premium !== receipt.amount) return { outcome: 'AMOUNT_DIFFERS', detail: amounts, skipOrder: false };
    return { outcome: 'RECEIVED', detail: '', skipOrder: false };
  }
  if (order.status === 'paid') return { outcome: 'DOUBLE_PAID', detail: `paid from family accounts and through another channel; ${amounts}`, skipOrder: false };
  if (order.status === 'refunded') return { outcome: 'ALREADY_PAID', detail: 'paid through another channel; the order was refunded', skipOrder: false };
  if (order.failureCode === 'ALREADY_PAID') return { outcome: 'ALREADY_PAID', detail: 'paid through another channel (reported before)', skipOrder: false };
  return { outcome: 'ALREADY_PAID', detail: `paid through another channel; the ${order.status} order is skipped and never charged`, skipOrder: true };
}
