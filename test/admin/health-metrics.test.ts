import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { addOperatorToken } from '../../src/operations/operator-tokens.ts';
import { useAdminServer } from '../support/admin.ts';
import { buildConsoleData, RECON_DAY } from '../support/console-data.ts';
import { useTestDb } from '../support/db.ts';
import { eventually, startCli } from '../support/process.ts';
import { sparePort, usePrivateRedis } from '../support/redis-server.ts';

const db = await useTestDb('admin_health');
const redis = await usePrivateRedis();
const prefix = `test-health-${process.pid}`;
const app = createApp({ databaseUrl: db.url, redisUrl: redis.url, queuePrefix: prefix });
afterAll(() => app.close());
const base = await useAdminServer(app, null);
const data = await buildConsoleData(app);

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

async function health(url: string): Promise<{ status: number; body: { status: string; database: string; redis: string } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as { status: string; database: string; redis: string } };
}

describe('/metrics', () => {
  it('needs a valid token, and parses as Prometheus text: BullMQ queue counts, orders of open campaigns by status and code, the last reconciled day', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const { token } = await addOperatorToken(db.pool, 'prometheus', 'viewer');
    const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheusTextFormat(await res.text()) as Family[];
    const family = (name: string) => families.find((f) => f.name === name)!;
    // Each family once, though BullMQ exports every queue with its own header.
    expect(new Set(families.map((f) => f.name)).size).toBe(families.length);

    const queueCounts = family('bullmq_job_count');
    expect(queueCounts.type).toBe('GAUGE');
    expect(new Set(queueCounts.metrics.map((m) => m.labels!.queue))).toEqual(new Set(['campaigns', 'payments', 'recon', 'schedules']));
    const { completed } = await app.queues.get('recon').getJobCounts('completed');
    expect(completed).toBeGreaterThan(0);
    expect(queueCounts.metrics.find((m) => m.labels!.queue === 'recon' && m.labels!.state === 'completed')!.value).toBe(String(completed));

    const orders = family('premium_orders').metrics.map((m) => [m.labels!.campaign_id, m.labels!.status, m.labels!.failure_code, m.value]);
    expect(orders.sort()).toEqual([
      [String(data.campaignId), 'failed', 'INSUFFICIENT_BALANCE', '2'],
      [String(data.campaignId), 'paid', '', '3'],
    ]);
    expect(family('premium_collected_yuan').metrics).toEqual([{ labels: { campaign_id: String(data.campaignId) }, value: '1200' }]);

    const recon = Object.fromEntries(family('recon_last_day_outcomes').metrics.map((m) => [`${m.labels!.business_date} ${m.labels!.code}`, m.value]));
    expect(recon).toEqual({ [`${RECON_DAY} MATCHED`]: '1', [`${RECON_DAY} AMOUNT_MISMATCH`]: '1', [`${RECON_DAY} MISSING_IN_FILE`]: '1' });
    expect(family('recon_last_day_institutions_without_file').metrics).toEqual([{ labels: { business_date: RECON_DAY }, value: '1' }]);
  });
});

describe('/healthz', () => {
  it('answers without a token: 200 while MySQL and Redis answer, 503 naming Redis when it stops (admin and worker --health-port), 200 again once it is back', async () => {
    const port = await sparePort();
    const worker = startCli(['worker', '--health-port', String(port)], { DATABASE_URL: db.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
    afterAll(() => {
      worker.kill('SIGKILL');
    });
    const workerUrl = `http://127.0.0.1:${port}/healthz`;
    const up = await eventually(async () => (await health(workerUrl).catch(() => null))?.status === 200, 60_000, 'the worker health endpoint');
    expect(up).toBe(true);
    expect(await health(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok', database: 'ok', redis: 'ok' } });
    expect(await health(workerUrl)).toEqual({ status: 200, body: { status: 'ok', database: 'ok', redis: 'ok' } });

    await redis.stop();
    for (const url of [`${base}/healthz`, workerUrl]) {
      const down = await eventually(async () => {
        const h = await health(url);
        return h.status === 503 ? h : null;
      }, 30_000, `${url} to answer 503`);
      expect(down!.body).toMatchObject({ status: 'failing', database: 'ok' });
      expect(down!.body.redis).not.toBe('ok');
    }

    await redis.restartEmpty();
    await eventually(async () => (await health(`${base}/healthz`)).status === 200, 30_000, 'admin /healthz to recover');
  });
});
