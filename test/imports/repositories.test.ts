import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.ts';
import { findCredits, insertCredits } from '../../src/imports/credits.repository.ts';
import { findInstitutions, findPersons } from '../../src/imports/lookups.repository.ts';
import { findSettlements, insertSettlements } from '../../src/imports/settlements.repository.ts';
import { upsertChanged } from '../../src/imports/upsert.repository.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson } from '../support/factories.ts';
import { institutionRow, seed } from '../support/import-files.ts';

const db = await useTestDb('import_repositories');
const pool = db.pool;

describe('lookups repository', () => {
  it('resolves persons by psn_no and institutions by code, exactly, and leaves unknown keys out', async () => {
    const id = await addPerson(pool, { psnNo: 'IL1', category: 'student' });
    await seed(db, 'institutions', [institutionRow('ILPH'), institutionRow('ILNO', { designated: 'false' })]);
    expect([...(await findPersons(pool, ['IL1', 'IL1', 'il1', 'NOBODY']))]).toEqual([['IL1', { id, psnNo: 'IL1', insutype: '390', admdvs: '510104', status: 'active' }]]);
    const institutions = await findInstitutions(pool, ['ILPH', 'ILNO', 'NONE']);
    expect([...institutions.entries()].map(([code, i]) => [code, i.designated]).sort()).toEqual([['ILNO', false], ['ILPH', true]]);
  });
});

describe('credits repository', () => {
  it('inserts credits, returns their row ids and reads them back by credit_id', async () => {
    const id = await addPerson(pool, { psnNo: 'IC1', balance: 0 });
    const ids = await inTransaction(pool, (conn) => insertCredits(conn, [{ creditId: 'IC-A', personId: id, amount: 1_250, creditedAt: '2026-11-15 00:00:00' }]));
    expect(ids.get('IC-A')).toBeGreaterThan(0);
    const found = await inTransaction(pool, (conn) => findCredits(conn, ['IC-A', 'IC-B']));
    expect([...found.values()]).toEqual([{ creditId: 'IC-A', psnNo: 'IC1', amount: 1_250, creditedAt: '2026-11-15 00:00:00' }]);
  });
});

describe('settlements repository', () => {
  it('inserts a settlement and its refund and reads both back with the link between them', async () => {
    const person = await addPerson(pool, { psnNo: 'IS1', balance: 0 });
    const event = { setlId: 'IS-S1', mdtrtId: null, psnNo: 'IS1', fixmedinsCode: 'ILPH', setlTime: '2026-11-23 10:00:00', medfeeSumamt: 500, personalBurden: 300, origSetlId: null };
    const base = { personId: person, institutionId: 1, acctPay: 0, acctMulaidPay: 0, cashPay: 300 };
    const [s1] = await inTransaction(pool, async (conn) => [...(await insertSettlements(conn, [{ event, ...base, origSettlementId: null }])).values()]);
    const refund = { ...event, setlId: 'IS-R1', medfeeSumamt: -500, personalBurden: -300, origSetlId: 'IS-S1', setlTime: '2026-11-24 09:00:00' };
    await inTransaction(pool, (conn) => insertSettlements(conn, [{ event: refund, ...base, cashPay: -300, origSettlementId: s1! }]));
    const stored = await inTransaction(pool, (conn) => findSettlements(conn, ['IS-S1', 'IS-R1', 'IS-X']));
    expect(stored.get('IS-S1')).toMatchObject({ id: s1, cashPay: 300, origSetlId: null, refundedBy: stored.get('IS-R1')!.id });
    expect(stored.get('IS-R1')).toMatchObject({ origSetlId: 'IS-S1', cashPay: -300, refundedBy: null, setlTime: '2026-11-24 09:00:00' });
    expect(stored.has('IS-X')).toBe(false);
  });
});

describe('upsert repository', () => {
  it('inserts new rows, updates changed ones, and reports unchanged rows without writing them', async () => {
    const table = { table: 'institutions', key: ['fixmedins_code'], values: ['name', 'type', 'admdvs', 'designated'] };
    const row = { fixmedins_code: 'IU01', name: '一号药房', type: 'pharmacy', admdvs: '510104', designated: 1 };
    expect(await inTransaction(pool, (conn) => upsertChanged(conn, table, [row]))).toEqual(['imported']);
    expect(await inTransaction(pool, (conn) => upsertChanged(conn, table, [row, { ...row, fixmedins_code: 'IU02' }]))).toEqual(['unchanged', 'imported']);
    expect(await inTransaction(pool, (conn) => upsertChanged(conn, table, [{ ...row, name: '改名药房' }]))).toEqual(['imported']);
    const [[stored]] = (await pool.query("SELECT name FROM institutions WHERE fixmedins_code = 'IU01'")) as unknown as [[{ name: string }]];
    expect(stored.name).toBe('改名药房');
  });
});
