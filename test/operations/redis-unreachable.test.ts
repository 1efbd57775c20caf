import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdminApp, listen } from '../../src/admin/server.ts';
import { createApp } from '../../src/app.ts';
import { addCampaign, useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { runCli } from '../support/process.ts';
import { sparePort } from '../support/redis-server.ts';

const db = await useTestDb('ops_redis_unreachable');
const app = useTestApp(db.url);
// Nobody listens on this loopback port: every connection is refused at once.
const port = await sparePort();
const REDIS_URL = `redis://night-shift:s3cret-pass@127.0.0.1:${port}`;
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, REDIS_URL };
const expectedLine = `error: cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start it or correct REDIS_URL\n`;

async function requestsRecorded(): Promise<{ runs: number; actions: number }> {
  const [[row]] = await db.pool.query<RowDataPacket[]>('SELECT (SELECT COUNT(*) FROM campaign_runs) AS runs, (SELECT COUNT(*) FROM operator_actions) AS actions');
  return { runs: Number(row!.runs), actions: Number(row!.actions) };
}

const campaignId = String(await addCampaign(app));
const inbox = mkdtempSync(path.join(tmpdir(), 'redis-unreachable-'));

// The answers come from a refused connection, not a timer: the test timeout is only a guard against the hang.
describe('Redis unreachable at a command\'s first connection', () => {
  const commands = [
    ['status'],
    ['campaign', 'run', campaignId, '--wait'],
    ['campaign', 'resume', campaignId, '--wait'],
    ['retry', '--campaign', campaignId],
    ['recon', 'run', '--date', '2026-11-23', '--inbox', inbox, '--outbox', inbox, '--json'],
  ];
  it.each(commands.map((args) => [args.slice(0, 2).join(' '), args] as const))('%s stops with one line naming Redis and its URL without credentials, exit 1, nothing requested', async (_name, args) => {
    const result = await runCli(args, env);
    expect(result).toEqual({ code: 1, stderr: expectedLine, stdout: '' });
    expect(await requestsRecorded()).toEqual({ runs: 0, actions: 0 });
  });

  it('the admin API answers 503 with a JSON error on /api/status and /api/retry, and records no retry', async () => {
    const offline = createApp({ databaseUrl: db.url, redisUrl: REDIS_URL, queuePrefix: app.prefix });
    const token = 'redis-unreachable-token-0123456789';
    const { server, port: apiPort } = await listen(createAdminApp(offline, { bootstrap: { token, name: 'ops-api' } }), '127.0.0.1', 0);
    afterAll(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await offline.close();
    });
    const headers = { Authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = `http://127.0.0.1:${apiPort}/api`;
    const status = await fetch(`${base}/status`, { headers });
    const retry = await fetch(`${base}/retry`, { method: 'POST', headers, body: JSON.stringify({ campaignId: Number(campaignId) }) });
    const error = { error: `cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start it or correct REDIS_URL` };
    expect([status.status, await status.json()]).toEqual([503, error]);
    expect([retry.status, await retry.json()]).toEqual([503, error]);
    expect(await requestsRecorded()).toEqual({ runs: 0, actions: 0 });
  });
});
