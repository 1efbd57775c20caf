import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Binding } from '../domain/eligibility.ts';
import type { Fen } from '../domain/money.ts';
import type { Beneficiary, ChargeOutcome, OrderToCharge } from '../domain/premium.ts';

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

  const [bindingRows] = await conn.query<RowDataPacket[]>(
    `SELECT b.beneficiary_id, b.relationship, b.priority, b.bound_at, b.revoked_at,
            p.id, p.psn_no, p.insutype, p.admdvs, p.status
       FROM bindings b JOIN persons p ON p.id = b.payer_id
      WHERE b.beneficiary_id IN (?)`,
    [beneficiaryIds],
  );
  const payerIds = [...new Set(bindingRows.map((r) => r.id as number))].sort((a, b) => a - b);
  const balances = new Map<number, Fen>();
  if (payerIds.length > 0) {
    const [accountRows] = await conn.query<RowDataPacket[]>(
      'SELECT person_id, balance FROM accounts WHERE person_id IN (?) ORDER BY person_id FOR UPDATE',
      [payerIds],
    );
    for (const a of accountRows) balances.set(a.person_id, a.balance);
  }

  const bindingsOf = new Map<number, Binding[]>();
  for (const r of bindingRows) {
    const list = bindingsOf.get(r.beneficiary_id) ?? [];
    list.push({
      payer: { id: r.id, psnNo: r.psn_no, insutype: r.insutype, admdvs: r.admdvs, status: r.status },
      payerBalance: balances.get(r.id) ?? null,
      relationship: r.relationship,
      priority: r.priority,
      boundAt: r.bound_at,
      revokedAt: r.revoked_at,
    });
    bindingsOf.set(r.beneficiary_id, list);
  }

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
      bindings: bindingsOf.get(o.person_id) ?? [],
    })),
    balances,
  };
}

/** One ledger debit per (order, payer); the key grows with the order id (PERF-NOTES: ascending keys). */
export const premiumDebitKey = (orderId: number, payerId: number) =>
  `P${String(orderId).padStart(10, '0')}-${String(payerId).padStart(10, '0')}`;

/**
 * Writes a chunk's outcomes: ledger debits, the guarded balance update and the order statuses, all
 * in the caller's transaction. Throws (and so rolls everything back) if any balance guard fails.
 */
export async function writeChunk(conn: PoolConnection, outcomes: readonly ChargeOutcome[], at: string): Promise<void> {
  const debits: [string, number, 'debit', Fen, number][] = [];
  const perAccount = new Map<number, Fen>();
  for (const o of outcomes) {
    if (o.status !== 'paid') continue;
    for (const p of o.payments) {
      debits.push([premiumDebitKey(o.orderId, p.payerId), p.payerId, 'debit', -p.amount, o.orderId]);
      // One payer may pay for several beneficiaries of the chunk: one guarded update per account.
      perAccount.set(p.payerId, (perAccount.get(p.payerId) ?? 0) + p.amount);
    }
  }

  if (debits.length > 0) {
    await conn.query('INSERT INTO ledger_entries (idem_key, account_id, kind, amount, order_id) VALUES ?', [debits]);
    const ids = [...perAccount.keys()];
    const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
    const caseParams = ids.flatMap((id) => [id, perAccount.get(id)!]);
    const [result] = await conn.query<ResultSetHeader>(
      `UPDATE accounts SET balance = balance - CASE person_id ${cases} END
        WHERE person_id IN (?) AND balance >= CASE person_id ${cases} END`,
      [...caseParams, ids, ...caseParams],
    );
    if (result.affectedRows !== ids.length) {
      throw new Error(`balance guard failed: ${result.affectedRows} of ${ids.length} accounts could be debited`);
    }
  }

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
