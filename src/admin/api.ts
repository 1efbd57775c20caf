import express from 'express';
import { z } from 'zod';
import type { App } from '../app.ts';
import { countOrders, findCampaign } from '../campaign/campaign.repository.ts';
import { CampaignNotFoundError, RETRY_CODES, requestRetry } from '../campaign/campaign.service.ts';
import { listFailures, recentRuns } from '../campaign/orders.queries.ts';
import { formatYuan } from '../domain/money.ts';
import { camelCaseKeys, snakeCaseKeys } from '../json-names.ts';
import { logger } from '../logger.ts';
import { listActions, type Actor } from '../audit/audit.repository.ts';
import { collectStatus, failedJobs } from '../operations/status.service.ts';
import type { AuthLocals } from './auth.ts';
import { needsRedis } from './needs-redis.ts';
import { statementRoutes } from './statement.route.ts';

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

/** The JSON API under /api, for scripts with `Authorization: Bearer` (and the console's own session). */
export function apiRouter(app: App): express.Router {
  const api = express.Router();
  const redis = needsRedis(app);
  // One naming convention with the CLI's --json: snake_case on the wire, in and out.
  api.use((req, res, next) => {
    if (req.body !== undefined) req.body = camelCaseKeys(req.body);
    const send = res.json.bind(res);
    res.json = (body: unknown) => send(snakeCaseKeys(body));
    next();
  });

  api.get('/status', redis, async (_req, res) => {
    const status = await collectStatus(app);
    res.json({ ...status, campaigns: status.campaigns.map((c) => ({ ...c, collected: formatYuan(c.collected) })) });
  });

  api.get('/failures', async (req, res) => {
    const query = failuresQuery.parse(req.query);
    const { total, rows } = await listFailures(app.db.pool, { campaignId: query.campaign, code: query.code, limit: query.limit });
    res.json({ total, failures: rows.map((r) => ({ ...r, premium: formatYuan(r.premium) })) });
  });

  api.get('/failed-jobs', redis, async (_req, res) => {
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

  api.post('/retry', redis, async (req, res) => {
    const actor: Actor = { operator: (res.locals as AuthLocals).principal.name, source: 'api' };
    const outcome = await requestRetry(app, retryBody.parse(req.body), actor);
    logger.info({ operator: actor.operator, ...outcome }, 'retry requested through the admin API');
    res.status(outcome.retried ? 202 : 200).json(outcome);
  });

  api.get('/actions', async (req, res) => {
    const limit = z.coerce.number().int().min(1).max(1000).default(50).parse(req.query.limit);
    res.json({ actions: await listActions(app.db.pool, limit) });
  });

  /** Who the request is made as: lets a script check its token, and the console its role. */
  api.get('/whoami', (_req, res) => {
    const { principal } = res.locals as AuthLocals;
    res.json({ name: principal.name, role: principal.role, bootstrap: principal.tokenId === null });
  });

  api.use(statementRoutes(app));
  return api;
}
