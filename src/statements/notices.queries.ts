import type { RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../db/client.ts';
import { formatYuan } from '../domain/money.ts';
import { withOffset } from '../domain/time.ts';

export const NOTICE_COLUMNS = ['notice_id', 'psn_no', 'event', 'reference', 'amount', 'counterpart_psn_no', 'code', 'created_at'] as const;

const PAGE = 5000;

/**
 * Notices after `afterId` in notice_id order, at most `limit` (null: all), formatted as the export
 * writes them (SPEC 9): reference as in statements, amounts in yuan, times with their offset.
 * Read in pages by primary key, so a gateway's cursor costs the same at any depth.
 */
export async function* readNotices(db: Queryable, afterId: number, limit: number | null): AsyncGenerator<string[][]> {
  let cursor = afterId;
  let left = limit ?? Number.MAX_SAFE_INTEGER;
  while (left > 0) {
    const [rows] = await db.query<RowDataPacket[]>(
      `SELECT n.id, p.psn_no, n.event, IF(n.event LIKE 'medical%', s.setl_id, CAST(n.source_id AS CHAR)) AS reference, n.amount,
              c.psn_no AS counterpart, n.code, DATE_FORMAT(n.created_at, '%Y-%m-%d %H:%i:%s') AS created_at
         FROM notices n
         JOIN persons p ON p.id = n.person_id
         LEFT JOIN persons c ON c.id = n.counterpart_id
         LEFT JOIN settlements s ON s.id = n.source_id AND n.event LIKE 'medical%'
        WHERE n.id > ? ORDER BY n.id LIMIT ?`,
      [cursor, Math.min(PAGE, left)],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => [
      String(r.id), r.psn_no, r.event, r.reference, r.amount === null ? '' : formatYuan(r.amount), r.counterpart ?? '', r.code, withOffset(r.created_at),
    ]);
    cursor = rows[rows.length - 1]!.id;
    left -= rows.length;
  }
}

/** Notices per event, for the demo and operators. */
export async function countNoticesByEvent(db: Queryable): Promise<{ event: string; notices: number }[]> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT event, COUNT(*) AS notices FROM notices GROUP BY event ORDER BY event');
  return rows.map((r) => ({ event: r.event, notices: r.notices }));
}
