import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { idNumberFor } from '../support/factories.ts';
import { institutionRow, personRow, seed, writeImportFile } from '../support/import-files.ts';
import { runCli } from '../support/process.ts';
import { addSettlements, deliver, HEADER, newFolders, readCsv } from '../support/recon.ts';

const db = await useTestDb('personal_data_errors');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

// Shifted rows (an unquoted name holding a comma, a column left out) put names and ID numbers into
// columns whose bad values error lines quote.
const ID = idNumberFor(35);
const ID_X = `${ID.slice(0, 17)}X`;
const OLD_ID = '510104800101003';
const masked = (id: string) => `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
const PERSONAL = [ID, ID_X, OLD_ID, ID.slice(0, 14), '张', '三', 'Zhang San'];

function expectNothingPersonal(text: string): void {
  for (const value of PERSONAL) expect(text).not.toContain(value);
}

beforeAll(async () => {
  await seed(db, 'persons', [personRow('E1'), personRow('R1', { insutype: '390', resident_category: 'adult' })]);
  await seed(db, 'institutions', [institutionRow('H001')]);
});

describe('row errors never show an ID number or a name', () => {
  it('persons: an ID number shifted into insutype is masked, a name fragment is not shown, in text and --json', async () => {
    const file = writeImportFile('persons.csv', [
      'psn_no,name,id_number,insutype,admdvs,status,resident_category',
      // "Zhang,San" unquoted, resident_category left off: every column after the name moves one to the right.
      `P1,Zhang,San,${ID},310,510104,active`,
      `P2,${ID},张,三,310,510104,active`,
      `P3,Zhang San,${ID},390,${OLD_ID},active,adult`,
    ].join('\n'));
    const name = path.basename(file);
    const text = await runCli(['import', 'persons', file], env);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe([
      `${name}:1 insutype: "${masked(ID)}" is not one of 310, 390`,
      `${name}:2 insutype: a value that may be personal data (not shown) is not one of 310, 390`,
      `${name}:3 admdvs: "${masked(OLD_ID)}" is not a 6-digit division code`,
      '',
    ].join('\n'));
    const json = await runCli(['import', 'persons', file, '--json'], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).errors.map((e: { column: string }) => e.column)).toEqual(['insutype', 'insutype', 'admdvs']);
    expectNothingPersonal(text.stderr + text.stdout + json.stdout + json.stderr);
  });

  it('bindings and settlements: ID numbers in any column are masked, names are not shown', async () => {
    const bindings = writeImportFile('bindings.csv', [
      'payer_psn_no,beneficiary_psn_no,relationship,priority,bound_at,revoked_at',
      `E1,R1,${ID_X},1,2020-01-01,`,
      `E1,R1,parent,${OLD_ID},2020-01-01,`,
      'E1,R1,parent,1,张三,',
    ].join('\n'));
    const settlements = writeImportFile('settlements.csv', [
      'setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,personal_burden,orig_setl_id',
      `S1,M1,E1,${ID},2026-11-23 10:00:00,10,10,`,
      `S2,M2,E1,H001,Zhang San,10,10,`,
      `S3,M3,E1,H001,2026-11-23 10:00:00,${ID_X},10,`,
    ].join('\n'));
    const outputs: string[] = [];
    for (const [kind, file] of [['bindings', bindings], ['settlements', settlements]] as const) {
      for (const json of [[], ['--json']]) {
        const result = await runCli(['import', kind, file, ...json], env);
        expect(result.code).toBe(2);
        outputs.push(result.stdout + result.stderr);
      }
    }
    const [bindingsText, , settlementsText] = outputs;
    expect(bindingsText).toContain(`relationship: "${masked(ID_X)}" is not one of`);
    expect(bindingsText).toContain(`priority: "${masked(OLD_ID)}" is not a whole number`);
    expect(bindingsText).toContain('bound_at: a value that may be personal data (not shown) is not a time');
    expect(settlementsText).toContain(`fixmedins_code: NOT_DESIGNATED: unknown institution ${masked(ID)}`);
    expect(settlementsText).toContain('setl_time: a value that may be personal data (not shown) is not a time');
    expect(settlementsText).toContain(`medfee_sumamt: "${masked(ID_X)}" is not an amount`);
    expectNothingPersonal(outputs.join('\n'));
  });

  it('reconciliation: shifted rows of an institution\'s file are reported without the values that could be personal', async () => {
    await addSettlements(db.pool, [{ setlId: 'K1', psnNo: 'E1' }]);
    const folders = newFolders();
    deliver(folders, 'H001_20261123.csv', [
      HEADER,
      `K1,MK1,${ID},H001,2026-11-23 10:00:00,100.00,0.00,0.00,0`,
      `K2,MK2,E1,张三,2026-11-23 10:00:00,100.00,0.00,0.00,0`,
      `K3,MK3,E1,H001,2026-11-23 10:00:00,${ID_X},0.00,0.00,0`,
      `K4,MK4,E1,H001,Zhang San,100.00,0.00,0.00,0`,
    ]);
    const run = await runCli(['recon', 'run', '--date', '2026-11-23', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);
    expect(run.code).toBe(0);
    const out = path.join(folders.outbox, 'export.csv');
    const exported = await runCli(['recon', 'export', '--date', '2026-11-23', '--out', out], env);
    expect(exported.code).toBe(0);
    const report = readFileSync(path.join(folders.outbox, 'recon_20261123.csv'), 'utf8');
    expect(readFileSync(out, 'utf8')).toBe(report);
    expect(readCsv(out).map((r) => [r.setl_id, r.code, r.detail])).toEqual([
      ['K1', 'WRONG_PAYEE', `the ledger's patient is E1, the file's "${masked(ID)}"`],
      ['K2', 'INVALID_ROW', 'fixmedins_code a value that may be personal data (not shown) is not the file\'s institution H001'],
      ['K3', 'INVALID_ROW', `medfee_sumamt "${masked(ID_X)}" is not an amount`],
      ['K4', 'INVALID_ROW', 'setl_time a value that may be personal data (not shown) is not a time'],
    ]);
    expectNothingPersonal(report + run.stdout + run.stderr);
  });
});
