import { describe, expect, it } from 'vitest';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { runCliReadingSlowly } from '../support/process.ts';

const db = await useTestDb('piped_output');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

const ORDERS = 30_000;
const DETAIL = `binding E0000001: CROSS_PROVINCE; ${'binding E0000002: PAYER_INACTIVE; '.repeat(8)}`;

describe('output piped into a slow reader', () => {
  it('failures list --json hands over every byte of a 10 MB answer before the command exits', async () => {
    const campaignId = await addCampaign(app);
    const orders = Array.from({ length: ORDERS }, (_, i) => [
      campaignId, i + 1, `R${String(i).padStart(7, '0')}`, 'adult', 40000, 'failed', 'WRONG_PAYEE', DETAIL, 1, '2026-11-23 10:00:00',
    ]);
    for (let i = 0; i < orders.length; i += 5000) {
      await db.pool.query(
        'INSERT INTO premium_orders (campaign_id, person_id, psn_no, resident_category, premium, status, failure_code, detail, attempts, planned_at) VALUES ?',
        [orders.slice(i, i + 5000)],
      );
    }

    const listed = await runCliReadingSlowly(['failures', 'list', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.bytes).toBeGreaterThan(10_000_000);
    const rows = JSON.parse(listed.stdout) as { psn_no: string; failure_code: string; premium: string; detail: string }[];
    expect(rows).toHaveLength(ORDERS);
    expect(rows.at(-1)).toEqual(expect.objectContaining({ psn_no: `R${String(ORDERS - 1).padStart(7, '0')}`, failure_code: 'WRONG_PAYEE', premium: '400.00', detail: DETAIL }));
  });
});
