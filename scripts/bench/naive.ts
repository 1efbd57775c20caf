import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { CampaignRow } from '../../src/campaign/campaign.repository.ts';
import { premiumDebitKey } from '../../src/ledger/keys.ts';
import type { Binding } from '../../src/domain/eligibility.ts';
import type { Fen } from '../../src/domain/money.ts';
import { chargePremium, type ChargeOutcome } from '../../src/domain/premium.ts';
import { shanghaiNow } from '../../src/domain/time.ts';

/**
 * The baseline a first implementation would be: one order at a time, one transaction per order,
 * the same pure rules and the same ledger keys as the product (so the ledger stays provable), each
 * read, lock and write a statement of its own.
 */
async function payOne(conn: PoolConnection, campaign: CampaignRow, orderId: number): Promise<ChargeOutcome['status'] | null> {
  await conn.beginTransaction();
  try {
    // The beneficiary comes with the order, the payers' accounts with the bindings: the fewest round
    // trips a row-at-a-time design can have, so the baseline is not slower than it needs to be.
    const [[order]] = await conn.query<RowDataPacket[]>(
      `SELECT o.id, o.person_id, o.premium, o.status, p.psn_no, p.insutype, p.admdvs, p.status AS person_status, p.resident_category
         FROM premium_orders o JOIN persons p ON p.id = o.person_id WHERE o.id = ? FOR UPDATE`,
      [orderId],
    );
    if (!order || order.status !== 'pending') {
      await conn.commit();
      return null;
    }
    const [bindingRows] = await conn.query<RowDataPacket[]>(
      `SELECT b.relationship, b.priority, b.bound_at, b.revoked_at, p.id, p.psn_no, p.insutype, p.admdvs, p.status, a.balance
         FROM bindings b JOIN persons p ON p.id = b.payer_id LEFT JOIN accounts a ON a.person_id = b.payer_id
        WHERE b.beneficiary_id = ? FOR UPDATE`,
      [order.person_id],
    );
    const balances = new Map<number, Fen>();
    for (const r of bindingRows) if (r.balance !== null) balances.set(r.id, r.balance);
    const bindings: Binding[] = bindingRows.map((r) => ({
      payer: { id: r.id, psnNo: r.psn_no, insutype: r.insutype, admdvs: r.admdvs, status: r.status },
      payerBalance: r.balance,
      relationship: r.relationship,
      priority: r.priority,
      boundAt: r.bound_at,
      revokedAt: r.revoked_at,
    }));
    const at = shanghaiNow();
    const outcome = chargePremium(
      {
        orderId,
        beneficiary: {
          id: order.person_id, psnNo: order.psn_no, insutype: order.insutype, admdvs: order.admdvs, status: order.person_status, residentCategory: order.resident_category,
        },
        premium: order.premium,
        bindings,
      },
      balances,
      campaign.mode,
      campaign.province,
      at,
    );
    if (outcome.status === 'paid') {
      for (const payment of outcome.payments) {
        await conn.query("INSERT INTO ledger_entries (idem_key, account_id, kind, amount, order_id) VALUES (?, ?, 'debit', ?, ?)", [
          premiumDebitKey(orderId, payment.payerId), payment.payerId, -payment.amount, orderId,
        ]);
        const [updated] = await conn.query<ResultSetHeader>('UPDATE accounts SET balance = balance - ? WHERE person_id = ? AND balance >= ?', [
          payment.amount, payment.payerId, payment.amount,
        ]);
        if (updated.affectedRows !== 1) throw new Error(`naive baseline: balance guard failed for account ${payment.payerId}`);
      }
      await conn.query("UPDATE premium_orders SET status = 'paid', failure_code = NULL, detail = NULL, attempts = attempts + 1, charged_at = ? WHERE id = ?", [at, orderId]);
    } else {
      await conn.query('UPDATE premium_orders SET status = ?, failure_code = ?, detail = ?, attempts = attempts + 1, charged_at = ? WHERE id = ?', [
        outcome.status, outcome.code, outcome.detail, at, orderId,
      ]);
    }
    await conn.commit();
    return outcome.status;
  } catch (error) {
    await conn.rollback();
    throw error;
  }
}

export interface NaiveResult {
  orders: number;
  seconds: number;
  paid: number;
}

/** Pays the first `sample` pending orders of the campaign in ascending psn_no (SPEC 3's order), sequentially. */
export async function runNaive(pool: Pool, campaign: CampaignRow, sample: number): Promise<NaiveResult> {
  const [rows] = await pool.query<RowDataPacket[]>({
    sql: "SELECT id FROM premium_orders WHERE campaign_id = ? AND status = 'pending' ORDER BY psn_no LIMIT ?",
    values: [campaign.id, sample],
    rowsAsArray: true,
  });
  const conn = await pool.getConnection();
  try {
    let paid = 0;
    const started = performance.now();
    for (const [id] of rows as [number][]) {
      if ((await payOne(conn, campaign, id)) === 'paid') paid++;
    }
    return { orders: rows.length, seconds: (performance.now() - started) / 1000, paid };
  } finally {
    conn.release();
  }
}
