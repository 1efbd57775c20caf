import type { Pool } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import { inParts } from '../db/parts.ts';
import { byteOrder, type Person } from '../domain/eligibility.ts';
import { readAccountPages } from '../ledger/accounts.ts';
import { findBindingsOf, type StoredBinding } from '../ledger/payers.ts';
import { findInstitutions, findPersons, type InstitutionRef } from './lookups.repository.ts';
import { readPersonIndexPages, type SettlementEvent } from './settlements.repository.ts';

/**
 * What a batch resolves its rows against: patients, their bindings with payers, institutions. No
 * settlement import writes these, so they can be read before the batch's transaction (while the
 * previous batch is written) without changing any outcome; a concurrent persons or bindings import
 * is then seen one batch later, as if it had committed a moment later.
 */
export interface SettlementLookups {
  patients: Map<string, Person>;
  institutions: Map<string, InstitutionRef>;
  bindingsOf: Map<number, StoredBinding[]>;
}

/**
 * Patients arrive in random order, so at province scale their rows are mostly not in the buffer
 * pool and each lookup waits on a page read. Parts of the batch read on separate connections
 * overlap those waits; on a transaction's single connection they simply run one after another.
 */
const LOOKUP_PARTS = 4;

export async function readLookups(db: Queryable, events: readonly SettlementEvent[]): Promise<SettlementLookups> {
  const psnNos = [...new Set(events.map((e) => e.psnNo))].sort(byteOrder);
  const [institutions, ...parts] = await Promise.all([
    findInstitutions(db, events.map((e) => e.fixmedinsCode)),
    ...inParts(psnNos, LOOKUP_PARTS).map(async (part) => {
      const patients = await findPersons(db, part);
      return { patients, bindingsOf: await findBindingsOf(db, [...patients.values()].map((p) => p.id)) };
    }),
  ]);
  const lookups: SettlementLookups = { patients: new Map(), institutions, bindingsOf: new Map() };
  for (const part of parts) {
    for (const [key, value] of part.patients) lookups.patients.set(key, value);
    for (const [key, value] of part.bindingsOf) lookups.bindingsOf.set(key, value);
  }
  return lookups;
}

/**
 * A batch's lookups, read on the pool while the previous batch is written, and the pages its
 * transaction will write read ahead of it: the accounts, and the leaves of the two indexes by
 * person that its ledger entries and settlements go to. At province scale these are mostly not in
 * a default buffer pool, and the one connection that writes in file order would otherwise wait on
 * the disk for each of them in turn.
 */
export async function prefetchLookups(pool: Pool, events: readonly SettlementEvent[]): Promise<SettlementLookups> {
  const lookups = await readLookups(pool, events);
  const accounts = [...new Set(accountsOf(lookups))].sort((a, b) => a - b);
  const patients = [...lookups.patients.values()].map((p) => p.id).sort((a, b) => a - b);
  await Promise.all([
    ...inParts(accounts, LOOKUP_PARTS).map((part) => readAccountPages(pool, part)),
    readPersonIndexPages(pool, patients),
  ]);
  return lookups;
}

/** Every account a batch may move money from: the patients' own and their payers'. */
export function accountsOf({ patients, bindingsOf }: SettlementLookups): number[] {
  const ids = [...patients.values()].map((p) => p.id);
  for (const bindings of bindingsOf.values()) for (const b of bindings) ids.push(b.payer.id);
  return ids;
}

