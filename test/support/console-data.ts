import type { App } from '../../src/app.ts';
import { shanghaiToday } from '../../src/domain/time.ts';
import { addCampaign, runToEnd } from './app.ts';
import { addPerson, bind } from './factories.ts';
import { addInstitution, addSettlements, deliver, HEADER, newFolders, reconcile, row } from './recon.ts';

export const RECON_DAY = '2026-11-23';

export interface ConsoleData {
  campaignId: number;
  /** The payer whose shortfall failed two orders; credit them and a retry pays both. */
  shortPayerId: number;
}

/**
 * What an operator looks at in the morning, small: an open campaign with 3 orders paid (1,200.00
 * yuan) and 2 failed INSUFFICIENT_BALANCE, and a reconciled day on which H001 sent a file (one row
 * matched, one amount mismatch) and H002 sent nothing although it has a settlement.
 */
export async function buildConsoleData(app: App): Promise<ConsoleData> {
  const pool = app.db.pool;
  const rich = await addPerson(pool, { psnNo: 'E100', balance: 200_000 });
  for (const psn of ['R101', 'R102', 'R103']) await bind(pool, rich, await addPerson(pool, { psnNo: psn }));
  const poor = await addPerson(pool, { psnNo: 'E200', balance: 0 });
  for (const psn of ['R201', 'R202']) await bind(pool, poor, await addPerson(pool, { psnNo: psn }));
  const today = shanghaiToday();
  const campaignId = await addCampaign(app, { windowStart: `${today.slice(0, 4)}-01-01`, windowEnd: `${today.slice(0, 4)}-12-31` });
  await runToEnd(app, { campaignId, kind: 'run' });

  await addInstitution(pool, 'H001');
  await addInstitution(pool, 'H002');
  await addSettlements(pool, [
    { setlId: 'S1', code: 'H001', acctPay: 5000 },
    { setlId: 'S2', code: 'H001', acctPay: 5000 },
    { setlId: 'S3', code: 'H002', acctPay: 5000 },
  ]);
  const folders = newFolders();
  deliver(folders, 'H001_20261123.csv', [HEADER, row({ setlId: 'S1', acctPay: '50.00' }), row({ setlId: 'S2', acctPay: '40.00' })]);
  await reconcile(app, folders, RECON_DAY);
  return { campaignId, shortPayerId: poor };
}
