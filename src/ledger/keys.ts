/*
 * Idempotency keys of ledger entries, one builder per kind of movement. Built from ascending ids so
 * the UNIQUE index grows at its right edge (PERF-NOTES: random keys cut the payment rate by 4x once
 * the ledger is large); a second attempt at the same movement fails on that index instead of moving
 * money twice.
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** One premium debit per (order, payer). */
export const premiumDebitKey = (orderId: number, payerId: number) => `P${pad(orderId, 10)}-${pad(payerId, 10)}`;
/** The n-th accounts-file adjustment of an account (n counts from 1). */
export const adjustmentKey = (personId: number, n: number) => `A${pad(personId, 10)}-${pad(n, 6)}`;
/** One credit per credits row. */
export const creditKey = (creditRowId: number) => `C${pad(creditRowId, 12)}`;
/** One debit per (settlement, account it drew on). */
export const settlementDebitKey = (settlementId: number, personId: number) => `S${pad(settlementId, 12)}-${pad(personId, 10)}`;
/** One credit per (settlement refund, account it gives back to). */
export const refundKey = (refundId: number, personId: number) => `R${pad(refundId, 12)}-${pad(personId, 10)}`;
/** One credit per (premium order refunded, payer account it gives back to). */
export const premiumRefundKey = (orderId: number, accountId: number) => `Q${pad(orderId, 10)}-${pad(accountId, 10)}`;
