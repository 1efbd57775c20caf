import type { Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { App } from '../app.ts';
import { CampaignNotFoundError } from '../campaign/campaign.service.ts';
import { OrderNotFoundError } from '../campaign/order-not-found.error.ts';
import { logger } from '../logger.ts';
import { healthResponse } from '../operations/health.ts';
import { QUEUE_NAMES } from '../queue/catalog.ts';
import { RedisUnreachableError } from '../queue/redis-unreachable.error.ts';
import { apiRouter } from './api.ts';
import { authenticate, type Bootstrap, guardChanges } from './auth.ts';
import { assetsRouter, consoleScript } from './console/assets.ts';
import { consoleRouter } from './console/routes.ts';
import { metricsText } from './metrics.ts';
import { needsRedis } from './needs-redis.ts';
import { sessionRoutes } from './session-routes.ts';

export interface AdminOptions {
  /** ADMIN_TOKEN as a bootstrap operator token under ADMIN_TOKEN_NAME; null when only operator tokens sign in. */
  bootstrap: Bootstrap | null;
  /** How long a console session lasts. */
  sessionHours?: number;
}

/** Request bodies are small forms and JSON commands; anything larger is refused with 413. */
const BODY_LIMIT = '16kb';

/**
 * Nothing on any page may reach beyond this server: a bureau's network is offline, and the
 * browser refuses what this policy does not list (BullMQ's dashboard asks for web fonts).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'self'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  next();
}

/** BullMQ's dashboard page links a web font; the link is cut so the browser never tries. */
function withoutWebFonts(_req: Request, res: Response, next: NextFunction): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '') : body);
  next();
}

/**
 * The admin web server: the operator console at /, the BullMQ dashboard under /queues, the JSON
 * API under /api, /metrics, and /healthz (the one path that needs no token). The dashboard is
 * read-only: retrying or removing BullMQ jobs by hand would bypass the MySQL state that operator
 * retries go through. Retries go through the console or POST /api/retry, audited like the CLI's.
 */
export function createAdminApp(app: App, options: AdminOptions): express.Express {
  const web = express();
  web.disable('x-powered-by');
  web.use(securityHeaders);
  web.use(express.json({ limit: BODY_LIMIT }), express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  void consoleScript().catch((error: Error) => logger.error({ err: error.message }, 'console script bundle failed'));

  web.get('/healthz', async (_req, res) => {
    const { code, body } = await healthResponse(app);
    res.status(code).set('Cache-Control', 'no-store').json(body);
  });
  web.use('/console/assets', assetsRouter());
  // Browsers ask for it on every page, the sign-in page included: no icon, and no 401 in their console.
  web.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  const sessions = sessionRoutes(app.db.pool, options.bootstrap, options.sessionHours ?? 8);
  web.use(sessions.publicRoutes);

  web.use(authenticate(app.db.pool, options.bootstrap));
  web.use(guardChanges);
  web.use(sessions.signedIn);

  web.get('/metrics', needsRedis(app), async (_req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(await metricsText(app));
  });

  const board = new ExpressAdapter();
  board.setBasePath('/queues');
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(app.queues.get(name), { readOnlyMode: true, allowRetries: false })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'premium-worker', hideDocsLink: true } },
  });
  web.use('/queues', needsRedis(app), withoutWebFonts, board.getRouter());
  web.use('/api', apiRouter(app));
  web.use(consoleRouter(app));

  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express 5 hands rejected async handlers here.
  web.use((error: Error & { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
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
    // The client's mistake, not the server's: answered without an error log.
    if (error.type === 'entity.too.large') {
      res.status(413).json({ error: `request body larger than ${BODY_LIMIT}` });
      return;
    }
    if (error.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'request body is not valid JSON' });
      return;
    }
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: error.message });
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
