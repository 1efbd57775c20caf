import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { refundOrder } from '../../src/campaign/refund.service.ts';
import { shanghaiToday } from '../../src/domain/time.ts';
import { useAdminServer, signIn } from '../support/admin.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('admin_money_back');
const app = useTestApp(db.url);
const pool = db.pool;
const TOKEN = 'money-back-bootstrap-5e4d3c2b1a09';
const base = await useAdminServer(app, { token: TOKEN, name: 'ops' });

/** The text of one table of the console page, cells joined by '|', rows by newlines. */
function table(page: string, id: string): string {
  const body = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(page)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .map((row) => [...row[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()).join('|'))
    .join('\n');
}

describe('console: refunds and hand-off outcomes', () => {
  it('shows refunded orders with the yuan given back, and the receipts per outcome', async () => {
    const payers = [await addPerson(pool, { psnNo: 'E1', balance: 100_000 }), await addPerson(pool, { psnNo: 'E2', balance: 100_000 })];
    await bind(pool, payers[0]!, await addPerson(pool, { psnNo: 'R1' }));
    await bind(pool, payers[1]!, await addPerson(pool, { psnNo: 'R2' }));
    const campaignId = await addCampaign(app);
    await runToEnd(app, { campaignId, kind: 'run' });
    const [[r1]] = await pool.query<RowDataPacket[]>("SELECT id FROM premium_orders WHERE psn_no = 'R1'");
    await refundOrder(pool, Number(r1!.id), 'paid at the tax office', { operator: 'ops', source: 'cli' });

    const [[campaign]] = await pool.query<RowDataPacket[]>('SELECT year FROM campaigns WHERE id = ?', [campaignId]);
    const dir = mkdtempSync(path.join(tmpdir(), 'money-back-'));
    const receipts = path.join(dir, 'receipts.csv');
    const paidAt = `${shanghaiToday()} 10:00:00`;
    writeFileSync(receipts, [
      'receipt_no,psn_no,year,amount,channel,paid_at',
      `T1,R2,${campaign!.year},400.00,family_account,${paidAt}`,
      `T2,R2,${campaign!.year},400.00,other,${paidAt}`,
      `T3,NOBODY,${campaign!.year},400.00,family_account,${paidAt}`,
    ].join('\n'));
    const imported = await runCli(['handoff', 'receipts', receipts], { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix });
    expect(imported.code, imported.stderr).toBe(0);

    const { cookie } = await signIn(base, TOKEN);
    const page = await (await fetch(`${base}/`, { headers: { cookie } })).text();
    expect(table(page, 'refund-table')).toBe(`Campaign|Orders refunded|Yuan given back\n#${campaignId}|1|400.00`);
    expect(table(page, 'handoff-table')).toBe(
      // In SPEC 10's order of outcomes (the enum's), not alphabetically.
      `Campaign|Receipt outcome|Receipts\n#${campaignId}|RECEIVED|1\n#${campaignId}|DOUBLE_PAID|1`,
    );
  });
});
