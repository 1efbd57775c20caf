import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import type { Binding } from '../domain/eligibility.ts';
import type { Fen } from '../domain/money.ts';

/** A stored binding with its payer; `withBalance` adds the payer's current balance. */
export type StoredBinding = Omit<Binding, 'payerBalance'>;

/**
 * Who may pay for these beneficiaries: every binding (in force or not: the rules decide at the
 * movement's time) with its payer. Premiums and settlements both resolve their payers here.
 */
export async function findBindingsOf(db: Queryable, beneficiaryIds: Iterable<number>): Promise<Map<number, StoredBinding[]>> {
  const ids = [...new Set(beneficiaryIds)];
  const byBeneficiary = new Map<number, StoredBinding[]>();
  if (ids.length === 0) return byBeneficiary;
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT b.beneficiary_id, b.relationship, b.priority, b.bound_at, b.revoked_at, b.premium_consent,
            p.id, p.psn_no, p.insutype, p.admdvs, p.status
       FROM bindings b JOIN persons p ON p.id = b.payer_id
      WHERE b.beneficiary_id IN (?)`,
    [ids],
  );
  for (const r of rows) {
    const list = byBeneficiary.get(r.beneficiary_id) ?? [];
    list.push({
      payer: { id: r.id, psnNo: r.psn_no, insutype: r.insutype, admdvs: r.admdvs, status: r.status },
      relationship: r.relationship,
      priority: r.priority,
      boundAt: r.bound_at,
      revokedAt: r.revoked_at,
      premiumConsent: r.premium_consent === 1,
    });
    byBeneficiary.set(r.beneficiary_id, list);
  }
  return byBeneficiary;
}

/** Spelled out: spreading the stored binding into a new object costs several times as much, once per binding and row. */
export const withBalance = (b: StoredBinding, payerBalance: Fen | null): Binding => ({
  payer: b.payer, relationship: b.relationship, priority: b.priority, boundAt: b.boundAt, revokedAt: b.revokedAt, premiumConsent: b.premiumConsent, payerBalance,
});

