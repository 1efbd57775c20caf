import type { Pool, RowDataPacket } from 'mysql2/promise';

/** Orders of a campaign with a DOUBLE_PAID receipt, paid or already refunded, in order id order (one per order). */
export async function doublePaidOrders(pool: Pool, campaignId: number): Promise<{ orderId: number; receiptNo: string }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT order_id, MIN(receipt_no) AS receipt_no FROM tax_receipts
      WHERE campaign_id = ? AND outcome = 'DOUBLE_PAID' AND order_id IS NOT NULL
      GROUP BY order_id ORDER BY order_id`,
    [campaignId],
  );
  return rows.map((r) => ({ orderId: r.order_id, receiptNo: r.receipt_no }));
}
