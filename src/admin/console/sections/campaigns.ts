import { html, jsonScript } from '../../html.ts';
import { count, yuan } from '../layout.ts';
import type { Section } from '../section.ts';

export const ORDER_COLOURS = { paid: '#2e7d32', failed: '#c62828', skipped: '#8d8d8d', pending: '#1e63b8' } as const;
const STATUSES = Object.keys(ORDER_COLOURS) as (keyof typeof ORDER_COLOURS)[];

export const campaignsSection: Section = {
  id: 'campaigns',
  title: 'Campaigns',
  async render({ campaigns }) {
    const list = await campaigns();
    if (list.length === 0) return html`<p class="empty">No campaign yet: <code>premium-worker campaign create</code> makes one.</p>`;
    const label = (c: (typeof list)[number]) => `${c.year} · province ${c.province} · #${c.id}`;
    const chart = {
      labels: list.map(label),
      datasets: STATUSES.map((s) => ({ label: s, data: list.map((c) => c.byStatus[s] ?? 0), backgroundColor: ORDER_COLOURS[s] })),
    };
    return html`
<div class="chart" style="height:${60 + 34 * list.length}px"><canvas data-chart="campaigns-chart" data-stacked="y" aria-label="orders by status per campaign"></canvas></div>
${jsonScript('campaigns-chart', chart)}
<table class="grid" id="campaign-table">
<thead><tr><th>Campaign</th><th>Window</th><th>Mode</th><th class="num">Orders</th>${STATUSES.map((s) => html`<th class="num"><span class="swatch" style="background:${ORDER_COLOURS[s]}"></span>${s}</th>`)}<th class="num">Collected (yuan)</th><th>Runs</th></tr></thead>
<tbody>
${list.map((c) => html`<tr data-campaign="${c.id}">
  <td>${label(c)} ${c.open ? html`<span class="tag tag-open">open</span>` : ''}</td>
  <td>${c.window}</td><td>${c.mode}</td><td class="num">${count(c.orders)}</td>
  ${STATUSES.map((s) => html`<td class="num" data-status="${s}">${count(c.byStatus[s] ?? 0)}</td>`)}
  <td class="num" data-collected>${yuan(c.collected)}</td>
  <td>${c.unfinishedRuns > 0 ? html`<span class="tag tag-warn">${c.unfinishedRuns} running</span>` : 'idle'}</td>
</tr>`)}
</tbody>
</table>`;
  },
};
