import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

/** SQL and drizzle calls that write the ledger or a balance. */
const MONEY_WRITES = [/INSERT\s+(IGNORE\s+)?INTO\s+`?ledger_entries\b/i, /UPDATE\s+`?accounts\b/i, /INSERT\s+(IGNORE\s+)?INTO\s+`?accounts\b/i, /\.(insert|update)\(\s*(ledgerEntries|accounts)\b/];

describe('money movement', () => {
  it('is written only by src/ledger/: no other module inserts ledger entries or updates accounts', () => {
    const offenders = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !path.startsWith('ledger/'))
      .filter((path) => MONEY_WRITES.some((pattern) => pattern.test(readFileSync(join(SRC, path), 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('the check itself recognises a money write', () => {
    expect(MONEY_WRITES.some((p) => p.test("await conn.query('UPDATE accounts SET balance = 0')"))).toBe(true);
    expect(MONEY_WRITES.some((p) => p.test('INSERT INTO ledger_entries (idem_key) VALUES ?'))).toBe(true);
    expect(MONEY_WRITES.some((p) => p.test('SELECT balance FROM accounts'))).toBe(false);
  });
});
