import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { handlers } from '../../jobs/index.ts';
import { addOperatorToken } from '../../src/operations/operator-tokens.ts';
import { startWorkers } from '../../jobs/workers.ts';
import { useAdminServer } from '../support/admin.ts';
import { useTestApp } from '../support/app.ts';
import { buildConsoleData } from '../support/console-data.ts';
import { useTestDb } from '../support/db.ts';
import { credit } from '../support/factories.ts';
import { eventually } from '../support/process.ts';

const db = await useTestDb('admin_console');
const app = useTestApp(db.url);
const pool = db.pool;
const base = await useAdminServer(app, null);
const data = await buildConsoleData(app);
const operator = (await addOperatorToken(pool, 'olga', 'operator')).token;
const viewer = (await addOperatorToken(pool, 'victor', 'viewer')).token;

/**
 * Runs `body` in Debian's Chromium with a fresh profile and nothing of its own going out (updates,
 * sync, QUIC probes); then checks that every request the browser made went to this server.
 */
async function inBrowser(body: (page: Page) => Promise<void>): Promise<void> {
  const profile = mkdtempSync(path.join(tmpdir(), 'console-browser-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  try {
    await body(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  expect(requested.length).toBeGreaterThan(0);
  expect(requested.filter((url) => new URL(url).origin !== base)).toEqual([]);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login"] button')]);
}

/** Posts a retry of the campaign's INSUFFICIENT_BALANCE orders from the page's own script, with or without its anti-forgery token. */
function postRetryFromPage(page: Page, withCsrf: boolean): Promise<number> {
  return page.evaluate(async ({ campaignId, withCsrf }) => {
    const fields: Record<string, string> = { campaign_id: String(campaignId), code: 'INSUFFICIENT_BALANCE' };
    if (withCsrf) fields._csrf = document.querySelector<HTMLMetaElement>('meta[name=csrf-token]')!.content;
    return (await fetch('/console/retry', { method: 'POST', body: new URLSearchParams(fields) })).status;
  }, { campaignId: data.campaignId, withCsrf });
}

const cellText = (page: Page, selector: string) => page.locator(selector).innerText();

async function runsOfCampaign(): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM campaign_runs WHERE campaign_id = ?', [data.campaignId]);
  return Number(row!.n);
}

describe('operator console in a browser', () => {
  it('a viewer sees the retry button disabled, and a retry posted with their own anti-forgery token is refused', async () => {
    await inBrowser(async (page) => {
      await signIn(page, viewer);
      expect(await page.locator('header .who').innerText()).toContain('victor');
      expect(await page.locator('#failure-table tr[data-code=INSUFFICIENT_BALANCE] button').isDisabled()).toBe(true);
      const runs = await runsOfCampaign();
      expect(await postRetryFromPage(page, true)).toBe(403);
      expect(await runsOfCampaign()).toBe(runs);
    });
  });

  it('a form posted without the anti-forgery token is refused, even from the console page itself', async () => {
    await inBrowser(async (page) => {
      await signIn(page, operator);
      const runs = await runsOfCampaign();
      expect(await postRetryFromPage(page, false)).toBe(403);
      expect(await runsOfCampaign()).toBe(runs);
    });
  });

  it('an operator signs in, reads the campaign and reconciliation, retries a failure and sees it paid; nothing is fetched from elsewhere', async () => {
    await inBrowser(async (page) => {
      await signIn(page, operator);
      const campaign = `#campaign-table tr[data-campaign="${data.campaignId}"]`;
      expect(await cellText(page, `${campaign} td[data-status=paid]`)).toBe('3');
      expect(await cellText(page, `${campaign} td[data-status=failed]`)).toBe('2');
      expect(await cellText(page, `${campaign} td[data-collected]`)).toBe('1,200.00');
      // Chart.js drew both charts (it sizes each canvas it takes over).
      await page.waitForFunction(() => [...document.querySelectorAll('canvas')].every((c) => (c.getAttribute('style') ?? '').includes('box-sizing')));
      expect(await page.locator('canvas').count()).toBe(2);

      expect(await cellText(page, '#recon-grid tr[data-institution="H002"] td[data-silent]')).toContain('NO FILE');
      expect(await cellText(page, '#silent-alert')).toContain('H002');
      const h001 = await cellText(page, '#recon-grid tr[data-institution="H001"] td');
      expect(h001).toContain('✓ 1');
      expect(h001).toContain('amount 1');

      await credit(pool, data.shortPayerId, 80_000);
      const workers = startWorkers(app, handlers);
      try {
        page.once('dialog', (dialog) => void dialog.accept());
        await Promise.all([page.waitForURL(/\?retried=\d+#failures$/), page.click('#failure-table tr[data-code=INSUFFICIENT_BALANCE] button')]);
        expect(await cellText(page, '#notice')).toContain('Retry requested');
        await eventually(async () => {
          await page.reload();
          return (await cellText(page, `${campaign} td[data-status=paid]`)) === '5';
        }, 60_000, 'the retried orders to show as paid');
      } finally {
        await workers.close();
      }
      expect(await cellText(page, `${campaign} td[data-collected]`)).toBe('2,000.00');
      expect(await page.locator('#failure-table').count()).toBe(0);
      expect(await cellText(page, '#audit-table tbody tr:first-child')).toMatch(/olga\s+console\s+retry/);

      // The BullMQ dashboard, too, loads nothing from elsewhere (its web font link is cut).
      await page.goto(`${base}/queues`);
      await page.waitForSelector('text=payments');

      await page.goto(`${base}/`);
      await Promise.all([page.waitForURL(`${base}/login`), page.click('form[action="/logout"] button')]);
      await page.goto(`${base}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  });
});
