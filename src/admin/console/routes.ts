import express from 'express';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { RETRY_CODES, requestRetry } from '../../campaign/campaign.service.ts';
import { logger } from '../../logger.ts';
import { campaignProgress, type CampaignProgress } from '../../operations/status.service.ts';
import type { AuthLocals } from '../auth.ts';
import { needsRedis } from '../needs-redis.ts';
import { html } from '../html.ts';
import { page } from './layout.ts';
import type { SectionContext } from './section.ts';
import { SECTIONS } from './sections/index.ts';

const retryForm = z.object({
  campaign_id: z.coerce.number().int().positive(),
  code: z.enum(RETRY_CODES).optional(),
});

export function consoleRouter(app: App): express.Router {
  const router = express.Router();

  router.get('/', async (req, res) => {
    const { principal, csrfToken } = res.locals as AuthLocals;
    let progress: Promise<CampaignProgress[]> | undefined;
    const ctx: SectionContext = { app, principal, csrfToken, canAct: principal.role === 'operator', campaigns: () => (progress ??= campaignProgress(app)) };
    const rendered = await Promise.all(SECTIONS.map(async (s) => ({ section: s, body: await s.render(ctx) })));
    const retried = typeof req.query.retried === 'string' && /^\d+$/.test(req.query.retried) ? req.query.retried : null;
    const body = html`
${retried ? html`<p class="notice" id="notice">Retry requested: run ${retried} is on the queue. Counts change as the workers charge the orders.</p>` : ''}
${rendered.filter((r) => r.body !== null).map(({ section, body: content }) => html`<section class="card" id="${section.id}"><h2>${section.title}</h2>${content}</section>`)}`;
    res.type('html').set('Cache-Control', 'no-store').send(page({ title: 'premium-worker console', principal, csrfToken, body }).text);
  });

  router.post('/console/retry', needsRedis(app), async (req, res) => {
    const { principal } = res.locals as AuthLocals;
    const form = retryForm.parse(req.body);
    const actor = { operator: principal.name, source: 'console' as const };
    const outcome = await requestRetry(app, { campaignId: form.campaign_id, code: form.code }, actor);
    logger.info({ operator: actor.operator, ...outcome }, 'retry requested through the console');
    res.redirect(303, outcome.retried ? `/?retried=${outcome.runId}#failures` : '/#failures');
  });

  return router;
}
