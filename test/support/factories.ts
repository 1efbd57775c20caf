import type { Pool, ResultSetHeader } from 'mysql2/promise';
import { checkCharacter } from '../../src/domain/id-number.ts';

/** A valid resident ID number derived from a counter (check digit computed, so imports accept it). */
export function idNumberFor(n: number): string {
  const first17 = `510104199001${String(n % 100000).padStart(5, '0')}`;
  return first17 + checkCharacter(first17);
}

let counter = 0;

export interface PersonSpec {
  psnNo: string;
  insutype?: '310' | '390';
  admdvs?: string;
  status?: 'active' | 'suspended' | 'terminated';
  category?: 'adult' | 'minor' | 'student' | 'senior' | 'exempt';
  /** Subsidy tier of a resident (dibao, tekun, ...). */
  tier?: string;
  /** Employee account balance in fen; only for 310 persons. Omit for "no account". */
  balance?: number;
}

/** Inserts a person (and their account when a balance is given); returns the person id. */
export async function addPerson(pool: Pool, spec: PersonSpec): Promise<number> {
  const insutype = spec.insutype ?? (spec.balance !== undefined ? '310' : '390');
  const [result] = await pool.query<ResultSetHeader>(
    'INSERT INTO persons (psn_no, id_number, name, insutype, admdvs, status, resident_category, subsidy_tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [spec.psnNo, idNumberFor(++counter), '测试', insutype, spec.admdvs ?? '510104', spec.status ?? 'active', insutype === '390' ? spec.category ?? 'adult' : null, spec.tier ?? null],
  );
  if (spec.balance !== undefined) {
    await pool.query('INSERT INTO accounts (person_id, balance, opening_balance, imported_balance) VALUES (?, ?, ?, ?)', [result.insertId, spec.balance, spec.balance, spec.balance]);
  }
  return result.insertId;
}

export interface BindingSpec {
  relationship?: string;
  priority?: number;
  boundAt?: string;
  revokedAt?: string | null;
  premiumConsent?: boolean;
}

export async function bind(pool: Pool, payerId: number, beneficiaryId: number, spec: BindingSpec = {}): Promise<void> {
  await pool.query(
    'INSERT INTO bindings (beneficiary_id, payer_id, relationship, priority, bound_at, revoked_at, premium_consent) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [beneficiaryId, payerId, spec.relationship ?? 'parent', spec.priority ?? 1, spec.boundAt ?? '2020-01-01 00:00:00', spec.revokedAt ?? null, spec.premiumConsent ?? true],
  );
}

/** A monthly credit written the way the import writes it: entry and balance together. */
export async function credit(pool: Pool, personId: number, amount: number): Promise<void> {
  const [result] = await pool.query<ResultSetHeader>(
    'INSERT INTO credits (credit_id, person_id, amount, credited_at) VALUES (?, ?, ?, NOW())',
    [`T${personId}-${++counter}`, personId, amount],
  );
  await pool.query("INSERT INTO ledger_entries (idem_key, account_id, kind, amount, credit_id) VALUES (?, ?, 'credit', ?, ?)", [`C${String(result.insertId).padStart(12, '0')}`, personId, amount, result.insertId]);
  await pool.query('UPDATE accounts SET balance = balance + ? WHERE person_id = ?', [amount, personId]);
}

export async function balanceOf(pool: Pool, personId: number): Promise<number> {
  const [rows] = await pool.query('SELECT balance FROM accounts WHERE person_id = ?', [personId]);
  return (rows as { balance: number }[])[0]!.balance;
}
