import type { Principal } from '../../operations/operator-tokens.ts';
import { CSRF_FIELD } from '../auth.ts';
import { html, type Html } from '../html.ts';

export const ASSETS = '/console/assets';

/** A hidden field carrying the session's anti-forgery token, for every form that posts. */
export const csrfField = (csrfToken: string | undefined) =>
  csrfToken ? html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">` : '';

export interface PageOptions {
  title: string;
  principal?: Principal;
  csrfToken?: string;
  body: Html;
}

/**
 * The document around every console page. Only the app's own stylesheet and script are loaded:
 * a bureau's network is offline, and the Content-Security-Policy refuses anything else.
 */
export function page({ title, principal, csrfToken, body }: PageOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csrfToken ? html`<meta name="csrf-token" content="${csrfToken}">` : ''}
<title>${title}</title>
<link rel="stylesheet" href="${ASSETS}/console.css">
<script defer src="${ASSETS}/console.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">premium-worker</a>
  ${principal ? html`<nav>
    <a href="/#campaigns">Campaigns</a><a href="/#failures">Failures</a><a href="/#reconciliation">Reconciliation</a><a href="/#audit">Audit</a><a href="/queues">Queues</a>
  </nav>
  <form class="who" method="post" action="/logout">
    <span>${principal.name} <span class="role role-${principal.role}">${principal.role}</span></span>
    ${csrfField(csrfToken)}<button type="submit">Sign out</button>
  </form>` : ''}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Thousands separated, as people read counts. */
export const count = (n: number) => n.toLocaleString('en-US');

/** Fen as yuan with two decimals and thousands separators (display only; files keep plain yuan). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** Database times come back as Shanghai wall-clock text; say so. */
export const shanghai = (time: string | null) => (time ? `${time.slice(0, 19)}+08:00` : '');
