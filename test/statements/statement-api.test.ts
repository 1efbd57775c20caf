import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementRoutes } from '../../src/admin/statement.route.ts';
import { listen } from '../../src/admin/server.ts';
import { addCampaign, runToEnd, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, bind } from '../support/factories.ts';

const db = await useTestDb('statement_api');
const app = useTestApp(db.url);
// The route alone, behind no token: the admin server's authentication is tested with the server.
const { server, port } = await listen(express().use('/api', statementRoutes(app)), '127.0.0.1', 0);
afterAll(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
const get = (path: string) => fetch(`http://127.0.0.1:${port}/api${path}`);

beforeAll(async () => {
  const payer = await addPerson(db.pool, { psnNo: 'E1', balance: 100000 });
  await bind(db.pool, payer, await addPerson(db.pool, { psnNo: 'R1' }), { relationship: 'child' });
  await runToEnd(app, { campaignId: await addCampaign(app), kind: 'run' });
});

describe('GET /api/persons/:psn_no/statement', () => {
  it('answers the statement rows and totals, the person\'s ID number and name masked', async () => {
    const response = await get('/persons/R1/statement?from=2000-01-01');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { person: unknown; rows: unknown[]; totals: unknown[] };
    expect(body.person).toEqual({ psn_no: 'R1', id_number: expect.stringMatching(/^510104\*{8}\d{3}[\dX]$/), name: '测*' });
    expect(body.rows).toEqual([
      { time: expect.stringMatching(/\+08:00$/), direction: 'paid_by', kind: 'premium', counterpart_psn_no: 'E1', relationship: 'child', fixmedins_code: '', reference: expect.any(String), amount: '400.00' },
    ]);
    expect(body.totals).toEqual([{ direction: 'paid_by', kind: 'premium', count: 1, amount: '400.00' }]);
  });

  it('is 404 for an unknown person', async () => {
    expect((await get('/persons/NOBODY/statement')).status).toBe(404);
  });
});
