import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStatement } from '../../src/statements/statement.queries.ts';
import { formatStatementRow } from '../../src/statements/statement.queries.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { bindingRow, institutionRow, personRow, query, seed, settlementRow, writeImportFile } from '../support/import-files.ts';
import { detailOf, expectLedgerConsistent, ordersByPsn } from '../support/orders.ts';
import { runCli } from '../support/process.ts';
import { refundOrder } from '../../src/campaign/refund.service.ts';

const db = await useTestDb('statements');
const app = useTestApp(db.url);
const pool = db.pool;
const env = { DATABASE_URL: db.url };

const resident = (psnNo: string) => personRow(psnNo, { insutype: '390', resident_category: 'adult' });
const orderOf = async (psnNo: string) => String((await query<{ id: number }>(pool, 'SELECT id FROM premium_orders WHERE psn_no = ?', [psnNo]))[0]!.id);
const rowsOf = async (psnNo: string, from: string | null = null, to: string | null = null) =>
  (await loadStatement(pool, psnNo, { from, to }))!.rows.map((r) => Object.values(formatStatementRow(r)).join(','));

/*
 * One province: E1 pays premiums for three relatives (single mode) and R1's pharmacy bill, which is
 * then refunded; E1 also spends on its own account and gets a credit (neither is mutual aid). R9 is
 * paid for by two payers in split mode (a campaign of its own province). E5 has not consented to
 * premiums for R6: R6's bill is paid, the premium is not.
 */
let campaignId: number;
let splitCampaignId: number;
beforeAll(async () => {
  await seed(db, 'persons', [
    personRow('E1'), personRow('E3', { admdvs: '440100' }), personRow('E4', { admdvs: '440100' }), personRow('E5'),
    resident('R1'), resident('R2'), resident('R3'), resident('R6'), personRow('R9', { insutype: '390', resident_category: 'adult', admdvs: '440100' }),
  ]);
  await seed(db, 'accounts', [
    { psn_no: 'E1', balance: '2000.00' }, { psn_no: 'E3', balance: '250.00' }, { psn_no: 'E4', balance: '1000.00' }, { psn_no: 'E5', balance: '500.00' },
  ]);
  await seed(db, 'institutions', [institutionRow('PH1'), institutionRow('H2', { type: 'hospital' })]);
  await seed(db, 'bindings', [
    bindingRow('E1', 'R1', { relationship: 'spouse', premium_consent: '' }),
    bindingRow('E1', 'R2', { relationship: 'child', premium_consent: '1' }),
    bindingRow('E1', 'R3', { relationship: 'parent', premium_consent: '1' }),
    bindingRow('E3', 'R9', { relationship: 'parent', priority: 1, premium_consent: '1' }),
    bindingRow('E4', 'R9', { relationship: 'grandparent', priority: 2, premium_consent: '1' }),
    bindingRow('E5', 'R6', { relationship: 'sibling', premium_consent: '0' }),
  ]);
  campaignId = await addCampaign(app, { mode: 'single' });
  splitCampaignId = await addCampaign(app, { mode: 'split', province: '44' });
  await runToEnd(app, { campaignId, kind: 'run' });
  await runToEnd(app, { campaignId: splitCampaignId, kind: 'run' });
  // Premium rows carry the time the money moved: fixed here so the expected rows can say it.
  await pool.query("UPDATE ledger_entries SET created_at = '2026-10-01 09:00:00' WHERE order_id IS NOT NULL");
  await seed(db, 'settlements', [
    settlementRow('S1', 'R1', 'PH1', '88.50', { setl_time: '2026-11-23 23:59:59' }),
    settlementRow('S2', 'E1', 'H2', '20.00', { setl_time: '2026-11-23 12:00:00' }),
    settlementRow('S6', 'R6', 'PH1', '35.00', { setl_time: '2026-11-25 08:00:00' }),
    settlementRow('S1R', 'R1', 'PH1', '-88.50', { setl_time: '2026-11-24 09:00:00', orig_setl_id: 'S1' }),
  ]);
  await seed(db, 'credits', [{ credit_id: 'C1', psn_no: 'E1', amount: '150.00', credited_at: '2026-11-01' }]);
});

describe('statement', () => {
  it('lists a payer\'s premiums for three relatives, a relative\'s pharmacy bill and its refund, and nothing of its own account', async () => {
    const [o1, o2, o3] = [await orderOf('R1'), await orderOf('R2'), await orderOf('R3')];
    expect(await rowsOf('E1')).toEqual([
      `2026-10-01 09:00:00+08:00,paid_for,premium,R1,spouse,,${o1},-400.00`,
      `2026-10-01 09:00:00+08:00,paid_for,premium,R2,child,,${o2},-400.00`,
      `2026-10-01 09:00:00+08:00,paid_for,premium,R3,parent,,${o3},-400.00`,
      '2026-11-23 23:59:59+08:00,paid_for,medical,R1,spouse,PH1,S1,-88.50',
      '2026-11-24 09:00:00+08:00,paid_for,medical_refund,R1,spouse,PH1,S1R,88.50',
    ]);
    expect(await rowsOf('R1')).toEqual([
      `2026-10-01 09:00:00+08:00,paid_by,premium,E1,spouse,,${o1},400.00`,
      '2026-11-23 23:59:59+08:00,paid_by,medical,E1,spouse,PH1,S1,88.50',
      '2026-11-24 09:00:00+08:00,paid_by,medical_refund,E1,spouse,PH1,S1R,-88.50',
    ]);
    await expectLedgerConsistent(pool);
  });

  it('shows a relative paid by two payers in split mode, each with its amount and relationship', async () => {
    const order = await orderOf('R9');
    expect((await ordersByPsn(pool, splitCampaignId)).R9).toEqual({ status: 'paid', code: null, payments: 'E3:25000;E4:15000' });
    expect(await rowsOf('R9')).toEqual([
      `2026-10-01 09:00:00+08:00,paid_by,premium,E3,parent,,${order},250.00`,
      `2026-10-01 09:00:00+08:00,paid_by,premium,E4,grandparent,,${order},150.00`,
    ]);
    expect(await rowsOf('E4')).toEqual([`2026-10-01 09:00:00+08:00,paid_for,premium,R9,grandparent,,${order},-150.00`]);
  });

  it('shows the relationship empty, on both sides, once the binding is gone', async () => {
    const order = await orderOf('R9');
    const [binding] = await query<Record<string, unknown>>(pool,
      "SELECT b.* FROM bindings b JOIN persons p ON p.id = b.payer_id WHERE p.psn_no = 'E4'");
    await pool.query('DELETE FROM bindings WHERE beneficiary_id = ? AND payer_id = ?', [binding!.beneficiary_id, binding!.payer_id]);
    try {
      expect(await rowsOf('E4')).toEqual([`2026-10-01 09:00:00+08:00,paid_for,premium,R9,,,${order},-150.00`]);
      expect(await rowsOf('R9')).toEqual([
        `2026-10-01 09:00:00+08:00,paid_by,premium,E3,parent,,${order},250.00`,
        `2026-10-01 09:00:00+08:00,paid_by,premium,E4,,,${order},150.00`,
      ]);
    } finally {
      await pool.query('INSERT INTO bindings SET ?', [binding]);
    }
  });

  it('--from and --to bound the rows by day, --to including its whole day', async () => {
    expect(await rowsOf('E1', '2026-11-23', '2026-11-23')).toEqual(['2026-11-23 23:59:59+08:00,paid_for,medical,R1,spouse,PH1,S1,-88.50']);
    expect(await rowsOf('E1', '2026-11-24', null)).toEqual(['2026-11-24 09:00:00+08:00,paid_for,medical_refund,R1,spouse,PH1,S1R,88.50']);
    expect(await rowsOf('E1', null, '2026-09-30')).toEqual([]);
  });

  it('a binding without premium consent pays the relative\'s pharmacy bill but not the premium', async () => {
    expect((await ordersByPsn(pool, campaignId)).R6).toEqual({ status: 'failed', code: 'WRONG_PAYEE', payments: '' });
    expect(await detailOf(pool, campaignId, 'R6')).toBe('E5:NO_PREMIUM_CONSENT');
    expect(await rowsOf('R6')).toEqual(['2026-11-25 08:00:00+08:00,paid_by,medical,E5,sibling,PH1,S6,35.00']);
    expect(await rowsOf('E5')).toEqual(['2026-11-25 08:00:00+08:00,paid_for,medical,R6,sibling,PH1,S6,-35.00']);
  });

  it('lists a premium refund on both sides, positive for the payer and negative for the relative', async () => {
    const order = await orderOf('R9');
    await refundOrder(pool, Number(order), 'paid twice', { operator: 'test', source: 'cli' });
    await pool.query("UPDATE ledger_entries SET created_at = '2026-12-02 10:00:00' WHERE kind = 'refund' AND order_id = ?", [order]);
    expect(await rowsOf('R9', '2026-12-01')).toEqual([
      `2026-12-02 10:00:00+08:00,paid_by,premium_refund,E3,parent,,${order},-250.00`,
      `2026-12-02 10:00:00+08:00,paid_by,premium_refund,E4,grandparent,,${order},-150.00`,
    ]);
    expect(await rowsOf('E3', '2026-12-01')).toEqual([`2026-12-02 10:00:00+08:00,paid_for,premium_refund,R9,parent,,${order},250.00`]);
  });
});

describe('statement command', () => {
  it('writes the CSV with the columns of SPEC 9 and prints totals per direction and kind', async () => {
    const out = writeImportFile('statement.csv', 'placeholder');
    const result = await runCli(['statement', 'R1', '--out', out], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const o1 = await orderOf('R1');
    expect(readFileSync(out, 'utf8')).toBe([
      'time,direction,kind,counterpart_psn_no,relationship,fixmedins_code,reference,amount',
      `2026-10-01 09:00:00+08:00,paid_by,premium,E1,spouse,,${o1},400.00`,
      '2026-11-23 23:59:59+08:00,paid_by,medical,E1,spouse,PH1,S1,88.50',
      '2026-11-24 09:00:00+08:00,paid_by,medical_refund,E1,spouse,PH1,S1R,-88.50',
      '',
    ].join('\n'));
    expect(result.stdout).toContain('3 movements of R1 written to');
    expect(result.stdout).toMatch(/paid_by\s*│\s*medical_refund\s*│\s*1\s*│\s*-88\.50/);
  });

  it('prints rows and totals as JSON', async () => {
    const result = await runCli(['statement', 'E1', '--from', '2026-11-01', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      psn_no: 'E1', from: '2026-11-01', to: null,
      rows: [
        { time: '2026-11-23 23:59:59+08:00', direction: 'paid_for', kind: 'medical', counterpart_psn_no: 'R1', relationship: 'spouse', fixmedins_code: 'PH1', reference: 'S1', amount: '-88.50' },
        { time: '2026-11-24 09:00:00+08:00', direction: 'paid_for', kind: 'medical_refund', counterpart_psn_no: 'R1', relationship: 'spouse', fixmedins_code: 'PH1', reference: 'S1R', amount: '88.50' },
      ],
      totals: [
        { direction: 'paid_for', kind: 'medical', count: 1, amount: '-88.50' },
        { direction: 'paid_for', kind: 'medical_refund', count: 1, amount: '88.50' },
      ],
    });
  });

  it('an unknown person or a bad date is an error: exit 1, one line, nothing echoed', async () => {
    const unknown = await runCli(['statement', '510104199001011234'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: unknown person: no one has the psn_no given\n');
    const bad = await runCli(['statement', 'E1', '--to', '2026-02-30'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("error: --to must be a date YYYY-MM-DD, got '2026-02-30'\n");
  });
});

describe('premium_consent in bindings.csv', () => {
  it('accepts 1, 0, empty or a missing column, and rejects anything else naming row and column', async () => {
    const file = writeImportFile('bindings.csv', [
      bindingRow('E5', 'R1', { premium_consent: 'yes' }),
      bindingRow('E5', 'R2', { premium_consent: '2' }),
    ]);
    const result = await runCli(['import', 'bindings', file], env);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/bindings\.csv:1 premium_consent: "yes" is not one of 1, 0/);
    expect(result.stdout + result.stderr).toMatch(/bindings\.csv:2 premium_consent: "2" is not one of 1, 0/);
    await seed(db, 'bindings', [bindingRow('E5', 'R6', { relationship: 'sibling' })].map(({ premium_consent: _, ...row }) => row));
    const [consent] = await query<{ premium_consent: number }>(pool, "SELECT premium_consent FROM bindings b JOIN persons p ON p.id = b.beneficiary_id WHERE p.psn_no = 'R6'");
    expect(consent!.premium_consent).toBe(1);
  });
});
