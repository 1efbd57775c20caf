import { randomUUID } from 'node:crypto';
import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { insertCampaign } from '../../src/campaign/campaign.repository.ts';
import { recreateDatabase } from '../../src/db/migrate.ts';
import { GaleraCluster, type GaleraNode } from '../support/galera.ts';
import { PREMIUMS } from '../support/app.ts';
import { doubleDebits, orderCounts, seedFamilies } from '../support/province.ts';
import { eventually, exited, runCli, startCliLogged } from '../support/process.ts';
import { MASTER_NAME, SentinelRedis } from '../support/redis-sentinel.ts';

/**
 * The product on highly available engines: a 3-node Galera cluster and Redis with one replica and
 * three Sentinels. Each case runs a campaign with the CLI and the workers on different nodes,
 * injects one fault mid-campaign, and requires the campaign to finish by itself with the money
 * right on every node.
 */
const FAMILIES = 600;
const ORDERS = 2 * FAMILIES;
const DATABASE = 'pw_ha';

const cluster = await GaleraCluster.start(3, (c) => afterAll(() => c.stop(), 60_000));
const redis = await SentinelRedis.start();
const [node1, node2, node3] = cluster.nodes as [GaleraNode, GaleraNode, GaleraNode];
const urlOf = (node: GaleraNode) => `${node.url}/${DATABASE}`;
await recreateDatabase(urlOf(node1));

const prefix = `ha-${randomUUID().slice(0, 8)}`;
const redisSettings = { url: 'redis://127.0.0.1/0', sentinels: redis.sentinels, masterName: MASTER_NAME };
const app = createApp({ databaseUrl: urlOf(node1), redis: redisSettings, queuePrefix: prefix });
afterAll(() => app.close());

/** A pool on one node; reads wait until the node has applied every write the cluster committed before them. */
const pools = new Map<GaleraNode, Pool>();
function pool(node: GaleraNode): Pool {
  let p = pools.get(node);
  if (!p) {
    p = mysql.createPool({ uri: urlOf(node), connectionLimit: 2 });
    p.on('connection', (conn) => conn.query('SET SESSION wsrep_sync_wait = 1'));
    pools.set(node, p);
  }
  return p;
}
/** After a node was killed, its pool's connections are dead: start afresh. */
async function forget(node: GaleraNode): Promise<void> {
  await pools.get(node)?.end().catch(() => undefined);
  pools.delete(node);
}
afterAll(() => Promise.all([...pools.values()].map((p) => p.end())));

function envFor(node: GaleraNode): Record<string, string> {
  return {
    DATABASE_URL: urlOf(node), REDIS_URL: redisSettings.url, REDIS_SENTINELS: redis.sentinels, REDIS_MASTER_NAME: MASTER_NAME,
    QUEUE_PREFIX: prefix, CHUNK_SIZE: '5', WORKER_CONCURRENCY: '1', LOCK_DURATION_MS: '10000', STALLED_INTERVAL_MS: '5000',
    SWEEP_INTERVAL_MS: '5000', JOB_BACKOFF_MS: '200', OUTAGE_PROBE_MS: '200', OUTAGE_PROBE_MAX_MS: '2000', LOG_LEVEL: 'info',
  };
}

let year = 2100;
let campaignId = 0;

beforeEach(async () => {
  for (const table of ['operator_actions', 'ledger_entries', 'premium_orders', 'campaign_runs', 'campaigns', 'bindings', 'accounts', 'credits', 'persons']) {
    await pool(node1).query(`DELETE FROM ${table}`);
  }
  await seedFamilies(pool(node1), FAMILIES);
  campaignId = await insertCampaign(pool(node1), { year: ++year, province: '51', windowStart: '2026-09-01', windowEnd: '2026-12-31', mode: 'split', premiums: PREMIUMS });
});

/** Workers on node 2 and node 3, the campaign asked for through node 1; `fault` runs while it pays. Returns the workers' logs. */
async function campaignThrough(fault: (workerOnNode3: () => string) => Promise<void>): Promise<string[]> {
  const workers = [startCliLogged(['worker'], envFor(node2)), startCliLogged(['worker'], envFor(node3))];
  try {
    const asked = await runCli(['campaign', 'run', String(campaignId)], envFor(node1));
    expect(asked.code, asked.stderr).toBe(0);
    await fault(workers[1]!.log);
    await eventually(async () => {
      const [[run]] = (await pool(node1).query('SELECT finished_at FROM campaign_runs WHERE campaign_id = ?', [campaignId])) as unknown as [[{ finished_at: string | null }]];
      return run.finished_at !== null;
    }, 300_000, 'the campaign to finish by itself');
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
  }
  // A worker that came through the fault still shuts down cleanly (a guard, not a timing assertion).
  for (const w of workers) {
    const code = await Promise.race([exited(w.child), new Promise<string>((resolve) => setTimeout(() => resolve('still running a minute after SIGTERM'), 60_000))]);
    expect(code).toBe(0);
  }
  expect(await app.queues.get('payments').getFailedCount()).toBe(0);
  expect(await app.queues.get('campaigns').getFailedCount()).toBe(0);
  await expectMoneyRightOnEveryNode();
  return workers.map((w) => w.log());
}

/** Resolves once `share` of the campaign's orders are paid: the fault then lands mid-campaign. */
async function paid(share: number): Promise<void> {
  await eventually(async () => (await orderCounts(pool(node1), campaignId)).done >= ORDERS * share, 300_000, `${share * 100}% of the orders paid`);
}

/** The worker whose node was away probes it until it answers, then takes jobs again. */
async function resumed(log: () => string): Promise<void> {
  await eventually(async () => log().includes('database and Redis answer again: worker resumed'), 60_000, 'the worker on node 3 to resume');
}

async function expectMoneyRightOnEveryNode(): Promise<void> {
  const verified = await runCli(['ledger', 'verify'], envFor(node1));
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  const views: unknown[] = [];
  for (const node of cluster.nodes) {
    expect(await orderCounts(pool(node), campaignId)).toMatchObject({ pending: 0, paid: ORDERS });
    expect(await doubleDebits(pool(node))).toEqual([]);
    const [[view]] = (await pool(node).query(`SELECT
        (SELECT COUNT(*) FROM ledger_entries) AS entries,
        (SELECT SUM(amount) FROM ledger_entries) AS ledgerSum,
        (SELECT SUM(balance) FROM accounts) AS balances,
        (SELECT COUNT(*) FROM premium_orders WHERE status = 'paid') AS paidOrders`)) as unknown as [[Record<string, unknown>]];
    views.push(Object.fromEntries(Object.entries(view).map(([k, v]) => [k, Number(v)])));
  }
  expect(views[1]).toEqual(views[0]);
  expect(views[2]).toEqual(views[0]);
}

describe('a campaign on a Galera cluster and Redis with Sentinel', () => {
  it('is asked for on one node and paid by workers on the two others', async () => {
    await campaignThrough(async () => undefined);
  });

  it('finishes when a node is killed mid-campaign and rejoins by IST', async () => {
    let restartLog = () => '';
    const logs = await campaignThrough(async (workerOnNode3) => {
      await paid(0.2);
      await node3.server.kill();
      await paid(0.4);
      restartLog = await cluster.restartAfterCrash(node3);
      await forget(node3);
      await resumed(workerOnNode3);
    });
    // The state transfer script runs either way; it copies the whole data directory only for an SST.
    expect(restartLog()).toContain('IST received');
    expect(restartLog()).not.toContain('rsync SST completed');
    // The worker on the dead node stopped taking jobs instead of failing them, and came back.
    expect(logs[1]).toContain('database unreachable: this worker takes no jobs until it answers');
  });

  it('finishes when a node is partitioned from the others mid-campaign', async () => {
    const logs = await campaignThrough(async (workerOnNode3) => {
      await paid(0.2);
      await cluster.isolate(node3, true);
      await cluster.waitNonPrimary(node3);
      await paid(0.4);
      await cluster.isolate(node3, false);
      await cluster.waitSynced(node3);
      await forget(node3);
      await resumed(workerOnNode3);
    });
    expect(logs[1]).toContain('WSREP has not yet prepared node for application use');
  });

  it('finishes when the Redis primary is killed mid-campaign and the replica promoted', async () => {
    await campaignThrough(async () => {
      await paid(0.2);
      const { old } = await redis.killPrimary();
      await paid(0.4);
      await redis.restartAsReplica(old);
    });
  });
});
