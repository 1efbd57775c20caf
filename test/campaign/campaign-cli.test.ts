import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';
import { runCli } from '../support/process.ts';

const db = await useTestDb('campaign_cli');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };
const dir = mkdtempSync(path.join(tmpdir(), 'campaign-cli-'));
const cli = (...args: string[]) => runCli(args, env);

describe('campaign commands', () => {
  it('create validates its arguments with a one-line error and exit code 1', async () => {
    const base = ['campaign', 'create', '--year', '2027', '--province', '51', '--window', '2026-09-01..2026-12-31'];
    const missing = await cli(...base, '--premium', 'adult=400,minor=400,student=400');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('error: --premium: missing category senior');
    const zero = await cli(...base, '--premium', 'adult=400,minor=0,student=400,senior=400');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/minor: premium must be a positive/);
    const window = await cli('campaign', 'create', '--year', '2027', '--province', '51', '--window', '2026-12-31..2026-09-01', '--premium', 'adult=1,minor=1,student=1,senior=1');
    expect(window.code).toBe(1);
  });

  it('runs a campaign end to end: create prints the id, run --wait pays, export and failures list show exact columns', async () => {
    const e1 = await addPerson(db.pool, { psnNo: 'E1', balance: 50000 });
    const e2 = await addPerson(db.pool, { psnNo: 'E2', balance: 30000 });
    const e3 = await addPerson(db.pool, { psnNo: 'E3', balance: 100000, admdvs: '440100' });
    const r1 = await addPerson(db.pool, { psnNo: 'R1' });
    const r2 = await addPerson(db.pool, { psnNo: 'R2', category: 'minor' });
    const r3 = await addPerson(db.pool, { psnNo: 'R3' });
    await bind(db.pool, e1, r1, { priority: 1 });
    await bind(db.pool, e2, r1, { priority: 2 });
    await bind(db.pool, e1, r2, { priority: 1 });
    await bind(db.pool, e3, r3, { priority: 1 });

    const created = await cli('campaign', 'create', '--year', '2027', '--province', '51', '--window', '2026-09-01..2026-12-31',
      '--premium', 'adult=400,minor=250.5,student=400,senior=400', '--mode', 'split');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^\d+\n$/);
    const id = created.stdout.trim();
    const duplicate = await cli('campaign', 'create', '--year', '2027', '--province', '51', '--window', '2026-09-01..2026-12-31', '--premium', 'adult=1,minor=1,student=1,senior=1', '--json');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);

    const run = await cli('campaign', 'run', id, '--wait', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).orders).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'paid', orders: 1, premium: '400.00' })]));

    const out = path.join(dir, 'orders.csv');
    expect((await cli('orders', 'export', '--campaign', id, '--out', out)).code).toBe(0);
    // Split mode, psn order: R1 takes 400 of E1's 500; R2's only payer E1 has 100 left of 250.50.
    expect(readFileSync(out, 'utf8')).toBe(
      'psn_no,status,premium,failure_code,payments\n' +
      'R1,paid,400.00,,E1:400.00\n' +
      'R2,failed,250.50,INSUFFICIENT_BALANCE,\n' +
      'R3,failed,400.00,WRONG_PAYEE,\n',
    );

    const failures = await cli('failures', 'list', '--campaign', id, '--json');
    expect(failures.code).toBe(0);
    const rows = JSON.parse(failures.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => Object.keys(r))).toEqual([
      ['order_id', 'psn_no', 'status', 'failure_code', 'premium', 'detail'],
      ['order_id', 'psn_no', 'status', 'failure_code', 'premium', 'detail'],
    ]);
    expect(rows.map((r) => [r.psn_no, r.failure_code, r.premium])).toEqual([['R2', 'INSUFFICIENT_BALANCE', '250.50'], ['R3', 'WRONG_PAYEE', '400.00']]);
    expect(rows[1]!.detail).toBe('E3:CROSS_PROVINCE');
    const onlyWrong = JSON.parse((await cli('failures', 'list', '--campaign', id, '--code', 'WRONG_PAYEE', '--json')).stdout);
    expect(onlyWrong).toHaveLength(1);

    const [[paid]] = (await db.pool.query("SELECT id FROM premium_orders WHERE psn_no = 'R1'")) as unknown as [{ id: number }[]];
    const retryPaid = await cli('retry', '--order', String(paid!.id));
    expect(retryPaid.code).toBe(0);
    expect(retryPaid.stdout).toMatch(/already paid/);
    expect((await cli('retry', '--order', '999999')).code).toBe(1);

    const status = JSON.parse((await cli('campaign', 'status', id, '--json')).stdout);
    expect(status).toMatchObject({ orders: 3, collected: '400.00', mode: 'split' });

    const verify = await cli('ledger', 'verify', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });

  it('ledger verify exits 1 when a balance disagrees with its entries', async () => {
    await db.pool.query("UPDATE accounts SET balance = balance + 1 WHERE person_id = (SELECT id FROM persons WHERE psn_no = 'E1')");
    const verify = await cli('ledger', 'verify');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/account_balance\s+│\s+E1/);
    await db.pool.query("UPDATE accounts SET balance = balance - 1 WHERE person_id = (SELECT id FROM persons WHERE psn_no = 'E1')");
  });
});
