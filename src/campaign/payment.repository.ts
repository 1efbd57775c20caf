import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Fen } from '../domain/money.ts';
import type { Beneficiary, ChargeOutcome, OrderToCharge } from '../domain/premium.ts';
import { lockAccounts } from '../ledger/accounts.ts';
import { postEntries, type NewLedgerEntry } from '../ledger/entries.ts';
import { premiumDebitKey } from '../ledger/keys.ts';
import { insertNotices, premiumFailedNotice, premiumPaidNotices, type NewNotice } from '../ledger/notices.ts';
import { findBindingsOf, withBalance } from '../ledger/payers.ts';

/** Everything the premium rules need about one chunk, read inside its transaction. */
export interface ChunkState {
  orders: OrderToCharge[];
  /** Locked balances of every payer account the chunk may touch. */
  balances: Map<number, Fen>;
}

type OrderStatus = 'pending' | 'failed' | 'skipped';

/**
 * Locks the chunk's chargeable orders and its payers' accounts (in primary-key order, the same in
 * every transaction, so concurrent chunks cannot deadlock on each other) and reads the facts.
 * Orders already paid, or not in `statuses`, are left out: that is what makes a redelivered job a no-op.
 * The status is read here, under the row lock, so an order refunded or reported paid elsewhere
 * (ALREADY_PAID) after the chunk was cut is never charged.
 */
export async function lockChunk(conn: PoolConnection, campaignId: number, orderIds: readonly number[], statuses: readonly OrderStatus[]): Promise<ChunkState> {
  const [orderRows] = await conn.query<RowDataPacket[]>(
    `SELECT id, person_id, premium FROM premium_orders
      WHERE id IN (?) AND campaign_id = ? AND status IN (?) AND NOT (failure_code <=> 'ALREADY_PAID') ORDER BY id FOR UPDATE`,
    [orderIds, campaignId, statuses],
  );
  if (orderRows.length === 0) return { orders: [], balances: new Map() };
  const beneficiaryIds = orderRows.map((r) => r.person_id as number);

  const bindingsOf = await findBindingsOf(conn, beneficiaryIds);
  const accounts = await lockAccounts(conn, [...bindingsOf.values()].flatMap((list) => list.map((b) => b.payer.id)));
  const balances = new Map<number, Fen>([...accounts].map(([id, account]) => [id, account.balance]));

  const [personRows] = await conn.query<RowDataPacket[]>(
    'SELECT id, psn_no, insutype, admdvs, status, resident_category FROM persons WHERE id IN (?)',
    [beneficiaryIds],
  );
  const beneficiaries = new Map<number, Beneficiary>(personRows.map((p) => [
    p.id as number,
    { id: p.id, psnNo: p.psn_no, insutype: p.insutype, admdvs: p.admdvs, status: p.status, residentCategory: p.resident_category },
  ]));

  return {
    orders: orderRows.map((o) => ({
      orderId: o.id,
      beneficiary: beneficiaries.get(o.person_id)!,
      premium: o.premium,
      bindings: (bindingsOf.get(o.person_id) ?? []).map((b) => withBalance(b, balances.get(b.payer.id) ?? null)),
    })),
    balances,
  };
}

/**
 * Writes a chunk's outcomes: ledger debits, the guarded balance update, the order statuses and the
 * notices of SPEC 9 (one multi-row statement), all in the caller's transaction. Throws (and so rolls
 * everything back) if any balance guard fails. `beneficiaryOf` maps each order id to its beneficiary.
 */
export async function writeChunk(conn: PoolConnection, outcomes: readonly ChargeOutcome[], at: string, beneficiaryOf: ReadonlyMap<number, number>): Promise<void> {
  const debits: NewLedgerEntry[] = [];
  const notices: NewNotice[] = [];
  for (const o of outcomes) {
    const beneficiaryId = beneficiaryOf.get(o.orderId)!;
    if (o.status === 'failed') notices.push(premiumFailedNotice(o.orderId, beneficiaryId, o.code));
    if (o.status !== 'paid') continue;
    notices.push(...premiumPaidNotices(o.orderId, beneficiaryId, o.payments));
    for (const p of o.payments) {
      debits.push({ idemKey: premiumDebitKey(o.orderId, p.payerId), accountId: p.payerId, kind: 'debit', amount: -p.amount, orderId: o.orderId });
    }
  }
  await postEntries(conn, debits);
  await insertNotices(conn, notices);

  // Paid orders (the bulk) share their new values: one plain UPDATE. Failures carry a detail each:
  // one UPDATE per status and code, the detail picked by id. A derived table of one SELECT per order
  // (UNION ALL) cost the server as much per failed order as paying one; the CASE is quadratic in
  // its length, hence at most FAILED_PER_UPDATE orders to a statement.
  const paid = outcomes.filter((o) => o.status === 'paid').map((o) => o.orderId);
  if (paid.length > 0) {
    await conn.query(
      "UPDATE premium_orders SET status = 'paid', failure_code = NULL, detail = NULL, attempts = attempts + 1, charged_at = ? WHERE id IN (?)",
      [at, paid],
    );
  }
  const unpaid = new Map<string, Unpaid[]>();
  for (const o of outcomes) {
    if (o.status === 'paid') continue;
    const key = `${o.status} ${o.code}`;
    const group = unpaid.get(key) ?? [];
    if (group.push(o) === 1) unpaid.set(key, group);
  }
  for (const group of unpaid.values()) {
    for (let i = 0; i < group.length; i += FAILED_PER_UPDATE) {
      const part = group.slice(i, i + FAILED_PER_UPDATE);
      await conn.query(
        `UPDATE premium_orders SET status = ?, failure_code = ?, detail = CASE id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END,
                attempts = attempts + 1, charged_at = ?
          WHERE id IN (?)`,
        [part[0]!.status, part[0]!.code, ...part.flatMap((o) => [o.orderId, o.detail]), at, part.map((o) => o.orderId)],
      );
    }
  }
}

type Unpaid = Exclude<ChargeOutcome, { status: 'paid' }>;

const FAILED_PER_UPDATE = 500;
