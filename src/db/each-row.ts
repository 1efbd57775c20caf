import type { Connection as CoreConnection } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';

/**
 * Reads a result row by row as arrays of column values, handing each to `onRow` as the driver
 * decodes it, and resolves with the number of rows. For passes over millions of rows: no row object
 * is built, nothing is buffered, and no promise is settled per row (an async iterator over a stream
 * costs one per row). `onRow` must be synchronous; the driver is not paused while it runs, so it
 * should be cheap.
 */
export function eachRow(conn: PoolConnection, sql: string, values: unknown[], onRow: (row: unknown[]) => void): Promise<number> {
  // The promise wrapper has no row events; its underlying connection does.
  const core = (conn as unknown as { connection: CoreConnection }).connection;
  return new Promise((resolve, reject) => {
    let rows = 0;
    let failed = false;
    core.query({ sql, values, rowsAsArray: true })
      .on('result', (row) => {
        if (failed) return;
        rows++;
        try {
          onRow(row as unknown as unknown[]);
        } catch (error) {
          failed = true;
          reject(error);
        }
      })
      .on('error', (error) => {
        failed = true;
        reject(error);
      })
      .on('end', () => {
        if (!failed) resolve(rows);
      });
  });
}
