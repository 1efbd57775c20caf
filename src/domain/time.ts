/**
 * Business time is Asia/Shanghai wall-clock time, whatever the machine's TZ. It travels as text
 * 'YYYY-MM-DD HH:mm:ss', which sorts and compares correctly as a string. China has no DST.
 */
export type ShanghaiTime = string;

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

function wallClock(date: Date, length: number): string {
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, length).replace('T', ' ');
}

export function toShanghai(date: Date): ShanghaiTime {
  return wallClock(date, 19);
}

/** An instant in business time with its offset; `millis` keeps the milliseconds (log lines). */
export function formatInstant(date: Date, millis = false): string {
  return `${wallClock(date, millis ? 23 : 19)}+08:00`;
}

export function shanghaiNow(): ShanghaiTime {
  return toShanghai(new Date());
}

/** The date `days` after (or before, when negative) `date`, both YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function shanghaiToday(): string {
  return shanghaiNow().slice(0, 10);
}

/** The instant a Shanghai wall-clock time denotes. */
export function fromShanghai(time: ShanghaiTime): Date {
  return new Date(`${time.replace(' ', 'T')}+08:00`);
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/**
 * Parses `YYYY-MM-DD HH:mm:ss` or `YYYY-MM-DD` (meaning 00:00:00) into canonical text; null for
 * anything else, including impossible dates such as 2026-02-30 or 24:00:00.
 */
export function parseShanghaiTime(text: string): ShanghaiTime | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  if (year! < 1900 || year! > 2999 || hour > 23 || minute > 59 || second > 59) return null;
  const probe = new Date(Date.UTC(year!, month! - 1, day!));
  if (probe.getUTCMonth() !== month! - 1 || probe.getUTCDate() !== day) return null;
  return m[4] === undefined ? `${text} 00:00:00` : text;
}

/** Parses a plain date `YYYY-MM-DD`; null when malformed or impossible. */
export function parseDate(text: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseShanghaiTime(text) ? text : null;
}

/** 2026-11-23 -> 20261123, the form used in file names. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/** The business day before `date`. */
export function previousDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Business time as written for people and programs (SPEC 8): `YYYY-MM-DD HH:mm:ss+08:00`. */
export function withOffset(time: ShanghaiTime): string {
  return `${time}+08:00`;
}
