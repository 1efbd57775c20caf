import http from 'node:http';
import type { App } from '../app.ts';

export interface HealthReport {
  status: 'ok' | 'failing';
  database: string;
  redis: string;
}

const TIMEOUT_MS = 2000;

const LOST = new Set(['reconnecting', 'close', 'end']);

/** 'ok', or why not; never waits longer than TIMEOUT_MS (a Redis command waits for a reconnect forever otherwise). */
async function probe(what: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  });
  try {
    return await Promise.race([what().then(() => 'ok', (error: Error) => `error: ${error.message.split('\n')[0]}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether MySQL and Redis answer right now. */
export async function checkHealth(app: App): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    probe(() => app.db.pool.query('SELECT 1')),
    probe(async () => {
      // A client between two reconnect attempts would hold the PING until Redis is back: say so at
      // once. One still connecting (a process just started) gets the time limit to finish.
      if (LOST.has(app.redis.status)) throw new Error(`not connected (${app.redis.status})`);
      await app.redis.ping();
    }),
  ]);
  return { status: database === 'ok' && redis === 'ok' ? 'ok' : 'failing', database, redis };
}

/** 200 with the report when both answer; 503 naming the one that does not. */
export async function healthResponse(app: App): Promise<{ code: number; body: HealthReport }> {
  const report = await checkHealth(app);
  return { code: report.status === 'ok' ? 200 : 503, body: report };
}

/** A bare HTTP server answering GET /healthz, for `worker` and `scheduler --health-port`. */
export function serveHealth(app: App, host: string, port: number): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    healthResponse(app).then(({ code, body }) => {
      res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    }, () => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
