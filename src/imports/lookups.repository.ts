import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import type { Binding, Person } from '../domain/eligibility.ts';

/** Reference data that imports resolve keys against: persons, institutions, bindings. */

const distinct = <T>(values: Iterable<T>): T[] => [...new Set(values)];

export async function findPersons(db: Queryable, psnNos: Iterable<string>): Promise<Map<string, Person>> {
  const keys = distinct(psnNos);
  if (keys.length === 0) return new Map();
  const [rows] = await db.query<RowDataPacket[]>('SELECT id, psn_no, insutype, admdvs, status FROM persons WHERE psn_no IN (?)', [keys]);
  return new Map(rows.map((r) => [r.psn_no as string, { id: r.id, psnNo: r.psn_no, insutype: r.insutype, admdvs: r.admdvs, status: r.status }]));
}

export interface InstitutionRef {
  id: number;
  designated: boolean;
}

export async function findInstitutions(db: Queryable, codes: Iterable<string>): Promise<Map<string, InstitutionRef>> {
  const keys = distinct(codes);
  if (keys.length === 0) return new Map();
  const [rows] = await db.query<RowDataPacket[]>('SELECT id, fixmedins_code, designated FROM institutions WHERE fixmedins_code IN (?)', [keys]);
  return new Map(rows.map((r) => [r.fixmedins_code as string, { id: r.id, designated: Boolean(r.designated) }]));
}

/** A stored binding with its payer; the caller adds the payer's current balance. */
export type StoredBinding = Omit<Binding, 'payerBalance'>;

/** Every binding of these beneficiaries (active or not: eligibility is decided at the settlement's time). */
export async function findBindingsOf(db: Queryable, beneficiaryIds: Iterable<number>): Promise<Map<number, StoredBinding[]>> {
  const ids = distinct(beneficiaryIds);
  const byBeneficiary = new Map<number, StoredBinding[]>();
  if (ids.length === 0) return byBeneficiary;
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT b.beneficiary_id, b.relationship, b.priority, b.bound_at, b.revoked_at,
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
    });
    byBeneficiary.set(r.beneficiary_id, list);
  }
  return byBeneficiary;
}
