import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import type { Person } from '../domain/eligibility.ts';

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
