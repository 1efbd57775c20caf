import { html } from '../../html.ts';
import { handoffOutcomes, refundTotals } from '../console.queries.ts';
import { count, yuan } from '../layout.ts';
import type { Section } from '../section.ts';

export const refundsSection: Section = {
  id: 'refunds',
  title: 'Refunds',
  async render({ app, campaigns }) {
    const totals = await refundTotals(app.db.pool, (await campaigns()).map((c) => c.id));
    if (!totals) return null;
    if (totals.length === 0) return html`<p class="empty">No premium refunded.</p>`;
    return html`<table class="grid" id="refund-table"><thead><tr><th>Campaign</th><th class="num">Orders refunded</th><th class="num">Yuan given back</th></tr></thead><tbody>
${totals.map((t) => html`<tr><td>#${t.campaignId}</td><td class="num">${count(t.orders)}</td><td class="num">${yuan(t.amount)}</td></tr>`)}
</tbody></table>`;
  },
};

export const handoffSection: Section = {
  id: 'handoff',
  title: 'Tax-bureau hand-off outcomes',
  async render({ app }) {
    const tables = await handoffOutcomes(app.db.pool);
    if (!tables) return null;
    const rows = tables.flatMap((t) => t.counts.map((c) => ({ table: t.table, ...c })));
    if (rows.length === 0) return html`<p class="empty">No hand-off receipt recorded.</p>`;
    return html`<table class="grid" id="handoff-table"><thead><tr><th>Recorded in</th><th>Code</th><th class="num">Count</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td><code>${r.table}</code></td><td><code>${r.code}</code></td><td class="num">${count(r.n)}</td></tr>`)}
</tbody></table>`;
  },
};
