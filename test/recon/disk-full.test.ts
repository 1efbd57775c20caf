import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestRun } from '../../src/campaign/campaign.service.ts';
import { startReconRun } from '../../src/recon/reconcile-day.service.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { addPerson, balanceOf, bind } from '../support/factories.ts';
import { ordersByPsn } from '../support/orders.ts';
import { eventually, exited, runCli, startCliLogged } from '../support/process.ts';
import { addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, readCsv, row } from '../support/recon.ts';

const db = await useTestDb('recon_disk_full');
const app = useTestApp(db.url);

/**
 * A full disk without privileges: the report's temporary file is a link to /dev/full, where every
 * write fails with ENOSPC, as on a full file system.
 */
function fillDisk(outbox: string, file: string): void {
  mkdirSync(outbox, { recursive: true });
  symlinkSync('/dev/full', path.join(outbox, `${file}.partial`));
}

async function finalState(queue: 'recon' | 'campaigns', jobId: string): Promise<string> {
  return eventually(async () => {
    const state = await (await app.queues.get(queue).getJob(jobId))?.getState();
    return state === 'completed' || state === 'failed' ? state : '';
  }, 90_000, `${jobId} to finish`);
}

describe('the outbox disk is full while the reports are written', () => {
  it('fails the day job only, with the reason, removes the partial file; the worker lives on and pays a campaign; a rerun writes the reports', async () => {
    await addInstitution(db.pool, 'H001');
    await addSettlements(db.pool, [{ setlId: 'K1', acctPay: 500 }, { setlId: 'K2', acctPay: 600 }]);
    const folders = newFolders();
    deliver(folders, 'H001_20261123.csv', [HEADER, row({ setlId: 'K1', acctPay: '5' }), row({ setlId: 'K9', acctPay: '1' })]);
    fillDisk(folders.outbox, 'recon_20261123.csv');
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, OUTBOX_DIR: folders.outbox };

    const worker = startCliLogged(['worker'], env);
    try {
      // No outbox in the request: the worker's OUTBOX_DIR, read when it writes the reports.
      const { jobId } = await startReconRun(app, { businessDate: '2026-11-23', inbox: folders.inbox });
      expect(await finalState('recon', jobId)).toBe('failed');
      const job = (await app.queues.get('recon').getJob(jobId))!;
      expect(job.failedReason).toBe(`cannot write ${path.join(folders.outbox, 'recon_20261123.csv')}: ENOSPC: no space left on device, write`);
      expect((await app.queues.get('recon').getFailed()).map((j) => j.id)).toEqual([jobId]);
      expect(listDir(folders.outbox)).toEqual([]);
      expect(worker.child.exitCode).toBeNull();

      // Payments go on in the same process.
      const payer = await addPerson(db.pool, { psnNo: 'E1', balance: 80000 });
      await bind(db.pool, payer, await addPerson(db.pool, { psnNo: 'R1' }));
      const campaignId = await addCampaign(app);
      const run = await requestRun(app, { campaignId, kind: 'run', requestedBy: 'test' });
      expect(await finalState('campaigns', run.jobId)).toBe('completed');
      expect(await ordersByPsn(db.pool, campaignId)).toEqual({ R1: { status: 'paid', code: null, payments: 'E1:40000' } });
      expect(await balanceOf(db.pool, payer)).toBe(40000);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child)).toBe(0);
    }
    expect(worker.log()).toContain('ENOSPC');

    // Space again: the operator's rerun writes both reports.
    const rerun = await runCli(['recon', 'run', '--date', '2026-11-23', '--inbox', folders.inbox, '--wait', '--json'], env);
    expect(rerun.code).toBe(0);
    expect(listDir(folders.outbox)).toEqual(['recon_20261123.csv', 'recon_20261123_counts.csv']);
    expect(readCsv(path.join(folders.outbox, 'recon_20261123.csv')).map((r) => `${r.code} ${r.setl_id}`)).toEqual(['MISSING_IN_LEDGER K9', 'MISSING_IN_FILE K2']);
  });

  it('recon export to a full disk exits 1 with one line and leaves no partial file', async () => {
    // The day reconciled by the test above.
    const folders = newFolders();
    fillDisk(folders.outbox, 'export.csv');
    const out = path.join(folders.outbox, 'export.csv');
    const exported = await runCli(['recon', 'export', '--date', '2026-11-23', '--out', out], { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix });
    expect(exported).toEqual({ code: 1, stdout: '', stderr: `error: cannot write ${out}: ENOSPC: no space left on device, write\n` });
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(listDir(folders.outbox)).toEqual([]);
  });
});
