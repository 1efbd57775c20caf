import { quoteCell as quote } from '../domain/cell-echo.ts';
import { normalizeIdNumber } from '../domain/id-number.ts';
import { parseYuan, type Fen } from '../domain/money.ts';
import { parseShanghaiTime, type ShanghaiTime } from '../domain/time.ts';
import { RowError } from './row.error.ts';

/** Field values by column name, for one record. */
export type RowFields<C extends string> = (column: C) => string;

function required(column: string, text: string): string {
  if (text === '') throw new RowError(column, 'is empty');
  return text;
}

const ALNUM_KEY = /^[0-9A-Za-z]{1,30}$/;

/**
 * psn_no and fixmedins_code. A malformed psn_no is not echoed: a shifted column can put a name or an
 * ID number there.
 */
export function alnumKey(column: string, text: string): string {
  if (!ALNUM_KEY.test(required(column, text))) throw new RowError(column, 'must be 1-30 letters or digits');
  return text;
}

/** Free-form keys from other systems (credit_id, setl_id, mdtrt_id), stored in a 64-character column. */
export function textKey(column: string, text: string): string {
  if ([...required(column, text)].length > 64) throw new RowError(column, 'is longer than 64 characters');
  return text;
}

export function optionalTextKey(column: string, text: string): string | null {
  return text === '' ? null : textKey(column, text);
}

/** Names of persons and institutions. Personal data: never echoed. */
export function name(column: string, text: string, maxLength: number): string {
  if ([...required(column, text)].length > maxLength) throw new RowError(column, `is longer than ${maxLength} characters`);
  return text;
}

export function oneOf<T extends string>(column: string, text: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(required(column, text))) {
    throw new RowError(column, `${quote(text)} is not one of ${values.join(', ')}`);
  }
  return text as T;
}

export function booleanText(column: string, text: string): boolean {
  return oneOf(column, text, ['true', 'false'] as const) === 'true';
}

const SUBSIDY_TIER = /^[a-z0-9_]{1,32}$/;

/** A subsidy tier (dibao, tekun, ...): empty, or 1-32 of [a-z0-9_]. */
export function optionalSubsidyTier(column: string, text: string): string | null {
  if (text === '') return null;
  if (!SUBSIDY_TIER.test(text)) throw new RowError(column, `${quote(text)} is not a subsidy tier (1-32 of a-z, 0-9, _)`);
  return text;
}

export function admdvs(column: string, text: string): string {
  if (!/^\d{6}$/.test(required(column, text))) throw new RowError(column, `${quote(text)} is not a 6-digit division code`);
  return text;
}

/** The ID in canonical form (check letter upper-case). Personal data: the reason never quotes it. */
export function idNumber(column: string, text: string): string {
  if (!/^\d{17}[\dXx]$/.test(required(column, text))) throw new RowError(column, 'must be 17 digits and a check character');
  const id = normalizeIdNumber(text);
  if (id === null) throw new RowError(column, 'check digit does not match');
  return id;
}

/** Yuan with at most two decimals, in fen. */
export function amount(column: string, text: string): Fen {
  const fen = parseYuan(required(column, text));
  if (fen === null) throw new RowError(column, `${quote(text)} is not an amount in yuan with at most 2 decimals`);
  return fen;
}

export function optionalAmount(column: string, text: string): Fen | null {
  return text === '' ? null : amount(column, text);
}

/** A short code of another system (insutype, clr_type): letters and digits, empty when unknown. */
export function optionalCode(column: string, text: string, maxLength: number): string | null {
  if (text === '') return null;
  if (text.length > maxLength || !/^[0-9A-Za-z]+$/.test(text)) throw new RowError(column, `${quote(text)} is not a code of 1-${maxLength} letters or digits`);
  return text;
}

export function time(column: string, text: string): ShanghaiTime {
  const parsed = parseShanghaiTime(required(column, text));
  if (parsed === null) throw new RowError(column, `${quote(text)} is not a time YYYY-MM-DD HH:mm:ss or YYYY-MM-DD`);
  return parsed;
}

export function optionalTime(column: string, text: string): ShanghaiTime | null {
  return text === '' ? null : time(column, text);
}

/** A whole number from `min` to `max` (the column's range). */
export function integer(column: string, text: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(required(column, text))) throw new RowError(column, `${quote(text)} is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new RowError(column, `${value} is not from ${min} to ${max}`);
  return value;
}
