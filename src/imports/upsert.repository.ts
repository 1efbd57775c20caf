import type { PoolConnection, RowDataPacket } from 'mysql2/promise';

export type SqlValue = string | number | null;

/** A table upserted by key: which columns identify a row and which ones an import may change. */
export interface UpsertTable {
  table: string;
  /** Columns of the table's primary or unique key; the first one must lead an index. */
  key: readonly string[];
  values: readonly string[];
}

const sameValue = (stored: unknown, imported: SqlValue): boolean =>
  stored === null || stored === undefined ? imported === null : imported !== null && String(stored) === String(imported);

/**
 * Inserts new rows and updates changed ones with one multi-row statement; rows equal to what is
 * stored are not written, so a re-import touches nothing and reports them unchanged. When a key
 * occurs twice in `rows`, the last one wins and the earlier one counts as unchanged; across batches
 * the same holds because batches are written in file order.
 */
export async function upsertChanged(conn: PoolConnection, table: UpsertTable, rows: readonly Record<string, SqlValue>[]): Promise<('imported' | 'unchanged')[]> {
  if (rows.length === 0) return [];
  const columns = [...table.key, ...table.values];
  const keyOf = (row: Record<string, unknown>) => table.key.map((column) => String(row[column])).join('\u0001');
  const lastIndexOfKey = new Map(rows.map((row, index) => [keyOf(row), index]));

  // Selecting by the leading key column only keeps to one index range; extra rows are filtered here.
  const leading = table.key[0]!;
  const [stored] = await conn.query<RowDataPacket[]>(
    `SELECT ${columns.join(', ')} FROM ${table.table} WHERE ${leading} IN (?)`,
    [[...new Set(rows.map((row) => row[leading]))]],
  );
  const storedByKey = new Map(stored.map((row) => [keyOf(row), row]));

  const outcomes = rows.map((row, index) => {
    const key = keyOf(row);
    if (lastIndexOfKey.get(key) !== index) return 'unchanged';
    const old = storedByKey.get(key);
    return old !== undefined && table.values.every((column) => sameValue(old[column], row[column]!)) ? 'unchanged' : 'imported';
  });
  const changed = rows.filter((_, i) => outcomes[i] === 'imported');
  if (changed.length > 0) {
    // VALUES(col) rather than a row alias: MariaDB 10.11 has no `AS new` syntax; MySQL 8 still accepts VALUES().
    await conn.query(
      `INSERT INTO ${table.table} (${columns.join(', ')}) VALUES ?
       ON DUPLICATE KEY UPDATE ${table.values.map((column) => `${column} = VALUES(${column})`).join(', ')}`,
      [changed.map((row) => columns.map((column) => row[column]))],
    );
  }
  return outcomes;
}
