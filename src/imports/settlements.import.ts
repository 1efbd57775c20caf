import type { PoolConnection } from 'mysql2/promise';
import { inTransaction } from '../db/transaction.ts';
import { isDuplicateKey } from '../db/transient.ts';
import { logger } from '../logger.ts';
import type { Person } from '../domain/eligibility.ts';
import { maskIdLike } from '../domain/cell-echo.ts';
import { formatYuan, type Fen } from '../domain/money.ts';
import { allocateSettlement, refundOf, type AccountMovement } from '../domain/settlement.ts';
import { alnumKey, amount, optionalAmount, optionalCode, optionalTextKey, textKey, time } from './fields.ts';
import { RowError } from './row.error.ts';
import type { ImportDefinition, RowOutcome } from './import-runner.ts';
import { applyBalanceDeltas, lockAccounts } from '../ledger/accounts.ts';
import { findSettlementDebits, insertLedgerEntries, type NewLedgerEntry } from '../ledger/entries.ts';
import { refundKey, settlementDebitKey } from '../ledger/keys.ts';
import { insertNotices, medicalNotices } from '../ledger/notices.ts';
import { withBalance } from '../ledger/payers.ts';
import type { InstitutionRef } from './lookups.repository.ts';
import { accountsOf, prefetchLookups, readLookups, type SettlementLookups } from './settlement-lookups.ts';
import { findSettlements, insertSettlements, type NewSettlement, type SettlementEvent } from './settlements.repository.ts';

const COLUMNS = ['setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'personal_burden', 'orig_setl_id'] as const;
/** What the national files are compared with (SPEC 11); empty or absent: unknown, not compared. */
const OPTIONAL_COLUMNS = ['fund_pay_sumamt', 'insutype', 'clr_type'] as const;

export type SettlementRow = SettlementEvent;

export const settlementsImport: ImportDefinition<(typeof COLUMNS | typeof OPTIONAL_COLUMNS)[number], SettlementRow, SettlementLookups> = {
  kind: 'settlements',
  // Smaller than other imports' batches: the pages a batch reads ahead must still be in a default
  // buffer pool when its transaction comes to them (fresh pages live in its "old" three-eighths).
  batchSize: 500,
  description: 'medical settlements and refunds, applied once by setl_id in file order',
  columns: COLUMNS,
  optionalColumns: OPTIONAL_COLUMNS,
  parseRow(field) {
    const event: SettlementRow = {
      setlId: textKey('setl_id', field('setl_id')),
      mdtrtId: optionalTextKey('mdtrt_id', field('mdtrt_id')),
      psnNo: alnumKey('psn_no', field('psn_no')),
      fixmedinsCode: alnumKey('fixmedins_code', field('fixmedins_code')),
      setlTime: time('setl_time', field('setl_time')),
      medfeeSumamt: amount('medfee_sumamt', field('medfee_sumamt')),
      personalBurden: amount('personal_burden', field('personal_burden')),
      origSetlId: optionalTextKey('orig_setl_id', field('orig_setl_id')),
      fundPaySumamt: optionalAmount('fund_pay_sumamt', field('fund_pay_sumamt')),
      insutype: optionalCode('insutype', field('insutype'), 6),
      clrType: optionalCode('clr_type', field('clr_type'), 10),
    };
    const refund = event.origSetlId !== null;
    const amounts = [['medfee_sumamt', event.medfeeSumamt], ['personal_burden', event.personalBurden], ['fund_pay_sumamt', event.fundPaySumamt ?? 0]] as const;
    for (const [column, value] of amounts) {
      if (!refund && value < 0) throw new RowError(column, `${formatYuan(value)} is negative (only a refund, with orig_setl_id, has amounts <= 0)`);
      if (refund && value > 0) throw new RowError(column, `${formatYuan(value)} is positive: a refund's amounts must be <= 0`);
    }
    if (event.origSetlId === event.setlId) throw new RowError('orig_setl_id', 'a refund cannot name itself');
    return event;
  },
  prefetch: (db, rows) => prefetchLookups(db.pool, rows.map(({ value }) => value)),
  writeBatch: (db, rows, prefetched) => {
    const events = rows.map(({ value }) => value);
    const fromPrefetch = prefetched?.catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'settlement lookups prefetch failed; reading them in the transaction');
      return undefined;
    });
    // Two imports of one file at once: the later one's batch meets the earlier one's keys and is
    // run again, reading them as applied ("unchanged").
    return inTransaction(db.pool, async (conn) => settleBatch(conn, events, (await fromPrefetch) ?? (await readLookups(conn, events))), { retryAlso: isDuplicateKey });
  },
};

/** A settlement already applied (stored, or earlier in this batch), as later rows of the batch see it. */
interface Applied {
  event: SettlementEvent;
  /** Row id once stored; undefined for this batch's own until they are inserted. */
  id?: number;
  personId: number;
  institutionId: number;
  isRefund: boolean;
  refunded: boolean;
  acctPay: Fen;
  acctMulaidPay: Fen;
  cashPay: Fen;
  /** What it moved: debits of a settlement, credits of a refund. Null for stored ones: read from the ledger when needed. */
  movements: AccountMovement[] | null;
}

const sameEvent = (a: SettlementEvent, b: SettlementEvent): boolean =>
  a.setlId === b.setlId && a.mdtrtId === b.mdtrtId && a.psnNo === b.psnNo && a.fixmedinsCode === b.fixmedinsCode &&
  a.setlTime === b.setlTime && a.medfeeSumamt === b.medfeeSumamt && a.personalBurden === b.personalBurden && a.origSetlId === b.origSetlId &&
  a.fundPaySumamt === b.fundPaySumamt && a.insutype === b.insutype && a.clrType === b.clrType;

/** Why a refund row cannot refund the settlement it names (SPEC 8), or null when it can. */
function refundProblem(original: Applied | undefined, refund: SettlementEvent, patient: Person, institution: InstitutionRef): string | null {
  if (!original) return 'names no earlier settlement';
  if (original.isRefund) return 'names a refund, not a settlement';
  if (original.personId !== patient.id) return 'names a settlement of another patient';
  if (original.institutionId !== institution.id) return 'names a settlement at another institution';
  if (original.refunded) return 'settlement already refunded';
  if (original.event.setlTime > refund.setlTime) return 'refund is dated before the settlement';
  return null;
}

/**
 * Applies a batch of settlement rows in file order in one transaction: every account a row may touch
 * is locked first, money is allocated in memory against running balances (a row sees the balances
 * earlier rows left), then the batch is written with a few multi-row statements and one guarded
 * balance update. Everything earlier batches may have changed (settlements, balances) is read inside
 * the transaction, so a transient retry redoes it from scratch.
 */
async function settleBatch(conn: PoolConnection, events: readonly SettlementEvent[], lookups: SettlementLookups): Promise<RowOutcome[]> {
  const { patients, institutions, bindingsOf } = lookups;
  // Earlier batches write settlements and balances: those are read here, in this batch's transaction.
  const stored = await findSettlements(conn, events.flatMap((e) => (e.origSetlId === null ? [e.setlId] : [e.setlId, e.origSetlId])));
  const storedDebits = await findSettlementDebits(
    conn,
    events.flatMap((e) => (e.origSetlId !== null && stored.has(e.origSetlId) ? [stored.get(e.origSetlId)!.id] : [])),
  );
  const accounts = await lockAccounts(conn, [...accountsOf(lookups), ...[...storedDebits.values()].flat().map((d) => d.personId)]);

  const balances = new Map([...accounts].map(([id, account]) => [id, account.balance]));
  const deltas = new Map<number, Fen>();
  const move = (personId: number, amount: Fen) => {
    const balance = balances.get(personId);
    if (balance === undefined || balance + amount < 0) throw new Error(`settlement batch: account ${personId} cannot move ${amount} fen`);
    balances.set(personId, balance + amount);
    deltas.set(personId, (deltas.get(personId) ?? 0) + amount);
  };

  const applied = new Map<string, Applied>(
    [...stored.values()].map((s) => [
      s.setlId,
      {
        event: s, id: s.id, personId: s.personId, institutionId: s.institutionId, isRefund: s.origSetlId !== null, refunded: s.refundedBy !== null,
        acctPay: s.acctPay, acctMulaidPay: s.acctMulaidPay, cashPay: s.cashPay, movements: null,
      },
    ]),
  );
  const fresh: Applied[] = [];

  const outcomes = events.map((event): RowOutcome => {
    const earlier = applied.get(event.setlId);
    if (earlier) return sameEvent(earlier.event, event) ? 'unchanged' : new RowError('setl_id', 'already applied with different values');
    const institution = institutions.get(event.fixmedinsCode);
    if (!institution) return new RowError('fixmedins_code', `NOT_DESIGNATED: unknown institution ${maskIdLike(event.fixmedinsCode)}`);
    if (!institution.designated) return new RowError('fixmedins_code', `NOT_DESIGNATED: institution ${maskIdLike(event.fixmedinsCode)} is not designated`);
    const patient = patients.get(event.psnNo);
    if (!patient) return new RowError('psn_no', 'unknown person');

    let settled: Pick<Applied, 'acctPay' | 'acctMulaidPay' | 'cashPay' | 'movements'>;
    if (event.origSetlId === null) {
      const allocation = allocateSettlement({
        patient,
        ownBalance: balances.get(patient.id) ?? null,
        bindings: (bindingsOf.get(patient.id) ?? []).map((b) => withBalance(b, balances.get(b.payer.id) ?? null)),
        personalBurden: event.personalBurden,
        at: event.setlTime,
      });
      for (const debit of allocation.debits) move(debit.personId, -debit.amount);
      settled = { acctPay: allocation.acctPay, acctMulaidPay: allocation.acctMulaidPay, cashPay: allocation.cashPay, movements: allocation.debits };
    } else {
      const original = applied.get(event.origSetlId);
      const problem = refundProblem(original, event, patient, institution);
      if (problem !== null) return new RowError('orig_setl_id', problem);
      const { acctPay, acctMulaidPay, cashPay, id, movements } = original!;
      const refund = refundOf({ acctPay, acctMulaidPay, cashPay, debits: movements ?? storedDebits.get(id!) ?? [] });
      for (const credit of refund.credits) move(credit.personId, credit.amount);
      original!.refunded = true;
      settled = { acctPay: refund.acctPay, acctMulaidPay: refund.acctMulaidPay, cashPay: refund.cashPay, movements: refund.credits };
    }
    const entry: Applied = {
      event, personId: patient.id, institutionId: institution.id, isRefund: event.origSetlId !== null, refunded: false,
      acctPay: settled.acctPay, acctMulaidPay: settled.acctMulaidPay, cashPay: settled.cashPay, movements: settled.movements,
    };
    applied.set(event.setlId, entry);
    fresh.push(entry);
    return 'imported';
  });
  // Right after the locking read, while the accounts' pages are still in the buffer pool.
  await applyBalanceDeltas(conn, deltas);

  // Settlements first, so that refunds of this batch's own settlements can point at their ids.
  const toRow = (a: Applied): NewSettlement => ({
    event: a.event, personId: a.personId, institutionId: a.institutionId, acctPay: a.acctPay, acctMulaidPay: a.acctMulaidPay, cashPay: a.cashPay,
    origSettlementId: a.isRefund ? applied.get(a.event.origSetlId!)!.id! : null,
  });
  for (const refunds of [false, true]) {
    const group = fresh.filter((a) => a.isRefund === refunds);
    const ids = await insertSettlements(conn, group.map(toRow));
    for (const a of group) a.id = ids.get(a.event.setlId)!;
  }

  const entries: NewLedgerEntry[] = fresh.flatMap((a) =>
    a.movements!.map((m): NewLedgerEntry =>
      a.isRefund
        ? { idemKey: refundKey(a.id!, m.personId), accountId: m.personId, kind: 'refund', amount: m.amount, settlementId: a.id! }
        : { idemKey: settlementDebitKey(a.id!, m.personId), accountId: m.personId, kind: 'debit', amount: 0 - m.amount, settlementId: a.id! },
    ),
  );
  await insertLedgerEntries(conn, entries);
  await insertNotices(conn, fresh.flatMap((a) => medicalNotices(a.id!, a.personId, a.isRefund, a.movements!.map((m) => ({ payerId: m.personId, amount: m.amount })))));
  return outcomes;
}
