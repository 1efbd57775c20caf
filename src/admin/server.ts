import type { Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { App } from '../app.ts';
import { countOrders, findCampaign } from '../campaign/campaign.repository.ts';
import { CampaignNotFoundError, RETRY_CODES, requestRetry } from '../campaign/campaign.service.ts';
import { OrderNotFoundError } from '../campaign/order-not-found.error.ts';
import { listFailures, recentRuns } from '../campaign/orders.queries.ts';
import { formatYuan } from '../domain/money.ts';
import { camelCaseKeys, snakeCaseKeys } from '../json-names.ts';
import { logger } from '../logger.ts';
import { listActions, type Actor } from '../audit/audit.repository.ts';
import { collectStatus, failedJobs } from '../operations/status.service.ts';
import { QUEUE_NAMES } from '../queue/catalog.ts';
import { redisAnswers } from '../queue/first-connection.ts';
import { RedisUnreachableError } from '../queue/redis-unreachable.error.ts';
import { requireToken } from './auth.ts';
import { statementRoutes } from './statement.route.ts';

export interface AdminOptions {
  token: string;
  /** Recorded as the operator of every action taken through the API. */
  tokenName: string;
}

const id = z.coerce.number().int().positive();

const retryBody = z.union([
  z.object({ orderId: z.number().int().positive() }).strict(),
  z.object({ campaignId: z.number().int().positive(), code: z.enum(RETRY_CODES).optional() }).strict(),
]);

const failuresQuery = z.object({
  campaign: id.optional(),
  code: z.enum(RETRY_CODES).optional(),
  limit: z.coerce.number().int().min(0).max(10_000).default(200),
});

/**
 * The admin web server: the BullMQ dashboard under /queues and a small JSON API under /api. The
 * dashboard is read-only: retrying or removing BullMQ jobs by hand would bypass the MySQL state
 * that operator retries go through (and a removed job is exactly the lost work the sweeper has to
 * find). Retries go through POST /api/retry, which is audited like the CLI's.
 */
export function createAdminApp(app: App, options: AdminOptions): express.Express {
  const web = express();
  web.disable('x-powered-by');
  web.use(requireToken(options.token));
  // Queue reads wait for Redis forever (worker connection settings): answer 503 instead, before anything is recorded.
  const needsRedis: RequestHandler = (_req, _res, next) => {
    redisAnswers(app.redis).then(() => next(), next);
  };

  const board = new ExpressAdapter();
  board.setBasePath('/queues');
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(app.queues.get(name), { readOnlyMode: true, allowRetries: false })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'premium-worker', hideDocsLink: true } },
  });
  web.use('/queues', needsRedis, board.getRouter());
  web.get('/', (_req, res) => res.redirect('/queues'));

  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  // One naming convention with the CLI's --json: snake_case on the wire, in and out.
  api.use((req, res, next) => {
    if (req.body !== undefined) req.body = camelCaseKeys(req.body);
    const send = res.json.bind(res);
    res.json = (body: unknown) => send(snakeCaseKeys(body));
    next();
  });
  const actor: Actor = { operator: options.tokenName, source: 'api' };

  api.get('/status', needsRedis, async (_req, res) => {
    const status = await collectStatus(app);
    res.json({ ...status, campaigns: status.campaigns.map((c) => ({ ...c, collected: formatYuan(c.collected) })) });
  });

  api.get('/failures', async (req, res) => {
    const query = failuresQuery.parse(req.query);
    const { total, rows } = await listFailures(app.db.pool, { campaignId: query.campaign, code: query.code, limit: query.limit });
    res.json({ total, failures: rows.map((r) => ({ ...r, premium: formatYuan(r.premium) })) });
  });

  api.get('/failed-jobs', needsRedis, async (_req, res) => {
    res.json({ failedJobs: await failedJobs(app) });
  });

  api.get('/campaigns/:id', async (req, res) => {
    const campaign = await findCampaign(app.db.pool, id.parse(req.params.id));
    if (!campaign) throw new CampaignNotFoundError(id.parse(req.params.id));
    const counts = await countOrders(app.db.pool, campaign.id);
    res.json({
      ...campaign,
      premiums: Object.fromEntries(Object.entries(campaign.premiums).map(([k, v]) => [k, formatYuan(v)])),
      orders: counts.reduce((n, c) => n + c.orders, 0),
      byStatus: counts.map((c) => ({ ...c, premium: formatYuan(c.premium) })),
      runs: await recentRuns(app.db.pool, campaign.id, 20),
    });
  });

  api.post('/retry', needsRedis, async (req, res) => {
    const outcome = await requestRetry(app, retryBody.parse(req.body), actor);
    logger.info({ operator: actor.operator, ...outcome }, 'retry requested through the admin API');
    res.status(outcome.retried ? 202 : 200).json(outcome);
  });

  api.get('/actions', async (req, res) => {
    const limit = z.coerce.number().int().min(1).max(1000).default(50).parse(req.query.limit);
    res.json({ actions: await listActions(app.db.pool, limit) });
  });

  api.use(statementRoutes(app));
  web.use('/api', api);
  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express 5 hands rejected async handlers here.
  web.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof z.ZodError) {
      res.status(400).json({ error: 'invalid request', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    if (error instanceof CampaignNotFoundError || error instanceof OrderNotFoundError) {
      res.status(404).json({ error: error.message });
      return;
    }
    if (error instanceof RedisUnreachableError) {
      res.status(503).json({ error: error.message });
      return;
    }
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: 'request body is not valid JSON' });
      return;
    }
    logger.error({ err: error.message }, 'admin request failed');
    res.status(500).json({ error: 'internal error; see the server log' });
  });
  return web;
}

/** Listens on host:port; resolves once the socket is bound (with the actual port when 0 was asked). */
export function listen(web: express.Express, host: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = web.listen(port, host, (error?: Error) => {
      if (error) {
        reject(error);
        return;
      }
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
