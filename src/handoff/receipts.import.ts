import { inTransaction } from '../db/transaction.ts';
import { provinceOf } from '../domain/eligibility.ts';
import { formatYuan } from '../domain/money.ts';
import { judgeReceipt, type ReceiptOutcome } from '../domain/receipts.ts';
import { alnumKey, amount, integer, oneOf, textKey, time } from '../imports/fields.ts';
import type { ImportDefinition, RowOutcome } from '../imports/import-runner.ts';
import { findPersons } from '../imports/lookups.repository.ts';
import { RowError } from '../imports/row.error.ts';
import {
  campaignsOfYears, findReceipts, insertReceipts, lockOrdersOf, markAlreadyPaid, type NewReceipt, type StoredReceipt,
} from './receipts.repository.ts';

const COLUMNS = ['receipt_no', 'psn_no', 'year', 'amount', 'channel', 'paid_at'] as const;

const sameReceipt = (a: StoredReceipt, b: StoredReceipt) =>
  a.psnNo === b.psnNo && a.year === b.year && a.amount === b.amount && a.channel === b.channel && a.paidAt === b.paidAt;

/** Outcome counts of the receipts applied by one import (the import summary counts rows). */
export type ReceiptCounts = Partial<Record<ReceiptOutcome, number>>;

/**
 * The tax bureau's receipts (SPEC 10), applied once by receipt_no with the money-event rules of
 * SPEC 8: an identical row again is unchanged, the same number with other values is rejected. Each
 * batch is one transaction that locks the orders it names, so a receipt of another channel and a
 * payment of the same order cannot both happen. `counts` collects the outcomes of the receipts applied.
 */
export function receiptsImport(counts: ReceiptCounts = {}): ImportDefinition<(typeof COLUMNS)[number], StoredReceipt> {
  return {
    kind: 'receipts',
    description: "the tax bureau's receipts, applied once by receipt_no",
    columns: COLUMNS,
    parseRow(field) {
      const paid = amount('amount', field('amount'));
      if (paid <= 0) throw new RowError('amount', `${formatYuan(paid)} is not positive`);
      return {
        receiptNo: textKey('receipt_no', field('receipt_no')),
        psnNo: alnumKey('psn_no', field('psn_no')),
        year: integer('year', field('year'), 1900, 2999),
        amount: paid,
        channel: oneOf('channel', field('channel'), ['family_account', 'other'] as const),
        paidAt: time('paid_at', field('paid_at')),
      };
    },
    writeBatch: (db, rows) =>
      inTransaction(db.pool, async (conn) => {
        const values = rows.map(({ value }) => value);
        const applied = await findReceipts(conn, values.map((r) => r.receiptNo));
        const persons = await findPersons(conn, values.map((r) => r.psnNo));
        const campaigns = await campaignsOfYears(conn, values.map((r) => r.year));
        const campaignOf = (r: StoredReceipt) => {
          const person = persons.get(r.psnNo);
          return person ? campaigns.get(`${r.year} ${provinceOf(person.admdvs)}`) ?? null : null;
        };
        const pairs = values.flatMap((r): [number, number][] => {
          const campaignId = campaignOf(r);
          return campaignId === null ? [] : [[campaignId, persons.get(r.psnNo)!.id]];
        });
        const orders = await lockOrdersOf(conn, pairs);
        const accepted: NewReceipt[] = [];
        const skipped: number[] = [];
        const batchCounts: ReceiptCounts = {};

        const outcomes = values.map((receipt): RowOutcome => {
          const earlier = applied.get(receipt.receiptNo);
          if (earlier) return sameReceipt(earlier, receipt) ? 'unchanged' : new RowError('receipt_no', 'already applied with different values');
          applied.set(receipt.receiptNo, receipt);
          const person = persons.get(receipt.psnNo);
          const campaignId = campaignOf(receipt);
          const order = person && campaignId !== null ? orders.get(`${campaignId} ${person.id}`) ?? null : null;
          const missing = !person ? 'unknown person'
            : campaignId === null ? `no campaign for year ${receipt.year} in province ${provinceOf(person.admdvs)}`
            : `no order for this person in campaign ${campaignId}`;
          const judgement = judgeReceipt(receipt, order, missing);
          if (judgement.skipOrder) {
            skipped.push(order!.id);
            // A later receipt of the batch sees the order as it now stands.
            order!.status = 'skipped';
            order!.failureCode = 'ALREADY_PAID';
          }
          accepted.push({ ...receipt, campaignId, orderId: order?.id ?? null, outcome: judgement.outcome, detail: judgement.detail });
          batchCounts[judgement.outcome] = (batchCounts[judgement.outcome] ?? 0) + 1;
          return 'imported';
        });

        await insertReceipts(conn, accepted);
        await markAlreadyPaid(conn, skipped);
        // Counted only once the batch is written: a retried transaction runs this function again.
        return Object.assign(outcomes, { counts: batchCounts });
      }).then((outcomes) => {
        for (const [code, n] of Object.entries(outcomes.counts)) counts[code as ReceiptOutcome] = (counts[code as ReceiptOutcome] ?? 0) + n;
        return outcomes;
      }),
  };
}
