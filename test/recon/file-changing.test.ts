import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { runCli } from '../support/process.ts';
import { addInstitution, addSettlements, deliver, HEADER, listDir, newFolders, row, storedOutcomes, tableCounts } from '../support/recon.ts';

const db = await useTestDb('recon_file_changing');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix };

describe('a file appended to while it is reconciled', () => {
  it('is rejected with its reason and every byte kept, nothing recorded; delivered again complete it is reconciled and archived as hashed', async () => {
    await addInstitution(db.pool, 'H001');
    await addSettlements(db.pool, [{ setlId: 'K1', acctPay: 500 }, { setlId: 'K2', acctPay: 600 }]);
    const folders = newFolders();
    const first = `${HEADER}\n${row({ setlId: 'K1', acctPay: '5' })}\n`;
    const rest = `${row({ setlId: 'K2', acctPay: '6' })}\n`;
    deliver(folders, 'H001_20261123.csv', first);
    const args = ['recon', 'run', '--date', '2026-11-23', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'];

    // The institution's upload is still writing: the second row lands after the hash, before the rows are read.
    const run = await runCli(args, { ...env, FAULT_RECON_APPEND_AFTER_HASH: rest });
    expect(run.code).toBe(0);
    const size = Buffer.byteLength(first);
    const reason = `the file changed while it was being reconciled (${size} bytes when hashed, ${size + Buffer.byteLength(rest)} after reading): deliver it again once it is complete`;
    expect(run.stdout).toContain(`H001_20261123.csv: rejected (${reason})`);
    expect(listDir(folders.inbox)).toEqual(['rejected']);
    expect(listDir(path.join(folders.inbox, 'rejected'))).toEqual(['H001_20261123.csv', 'H001_20261123.csv.reason']);
    expect(readFileSync(path.join(folders.inbox, 'rejected', 'H001_20261123.csv'), 'utf8')).toBe(first + rest);
    expect(readFileSync(path.join(folders.inbox, 'rejected', 'H001_20261123.csv.reason'), 'utf8')).toBe(`${reason}\n`);
    // As if the institution had sent nothing: both settlements are missing in file, no file version is recorded.
    expect(await tableCounts(db.pool)).toEqual({ recon_files: 0, recon_latest_files: 0, recon_outcomes: 2 });
    expect((await storedOutcomes(db.pool)).map((o) => `${o.code} ${o.setl_id}`)).toEqual(['MISSING_IN_FILE K1', 'MISSING_IN_FILE K2']);

    deliver(folders, 'H001_20261123.csv', first + rest);
    const again = await runCli(args, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('H001_20261123.csv: reconciled, 2 rows');
    expect(await storedOutcomes(db.pool)).toEqual([]);
    const [[file]] = await db.pool.query<RowDataPacket[]>('SELECT sha256, archived_name FROM recon_files');
    const archived = readFileSync(path.join(folders.inbox, 'archive', file!.archived_name));
    expect(createHash('sha256').update(archived).digest('hex')).toBe(file!.sha256);
  });
});
