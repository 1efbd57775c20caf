import { RETRY_CODES } from '../../../campaign/campaign.service.ts';
import { html } from '../../html.ts';
import { count, csrfField } from '../layout.ts';
import type { Section } from '../section.ts';

const RETRYABLE = new Set<string>(RETRY_CODES);

export const failuresSection: Section = {
  id: 'failures',
  title: 'Failures by code',
  async render({ campaigns, canAct, csrfToken }) {
    const rows = (await campaigns()).flatMap((c) =>
      Object.entries(c.byFailureCode).filter(([, n]) => n > 0).map(([code, n]) => ({ campaign: c, code, n })));
    if (rows.length === 0) return html`<p class="empty">No failed or skipped order.</p>`;
    return html`
<table class="grid" id="failure-table">
<thead><tr><th>Campaign</th><th>Code</th><th class="num">Orders</th><th>Action</th></tr></thead>
<tbody>
${rows.map(({ campaign, code, n }) => html`<tr data-campaign="${campaign.id}" data-code="${code}">
  <td>${campaign.year} · province ${campaign.province} · #${campaign.id}</td>
  <td><code>${code}</code></td>
  <td class="num">${count(n)}</td>
  <td>${RETRYABLE.has(code) ? html`<form method="post" action="/console/retry" class="inline" data-confirm="Retry ${n} order(s) of campaign #${campaign.id} failed with ${code}?">
    ${csrfField(csrfToken)}<input type="hidden" name="campaign_id" value="${campaign.id}"><input type="hidden" name="code" value="${code}">
    <button type="submit"${canAct ? '' : html` disabled title="a viewer token cannot retry"`}>Retry</button>
  </form>` : html`<span class="muted">not retried (final)</span>`}</td>
</tr>`)}
</tbody>
</table>
<p class="muted">A retry charges failed and skipped orders of that code again; a paid order is never charged twice. It runs on the workers and shows in the audit trail.</p>`;
  },
};
