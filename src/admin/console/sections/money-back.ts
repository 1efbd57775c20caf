import { html } from '../../html.ts';
import { receiptOutcomes, refundTotals } from '../console.queries.ts';
import { count, yuan } from '../layout.ts';
import type { Section } from '../section.ts';

export const refundsSection: Section = {
  id: 'refunds',
  title: 'Refunds',
  async render({ app, campaigns }) {
    const totals = await refundTotals(app.db.pool, (await campaigns()).map((c) => c.id));
    if (totals.length === 0) return html`<p class="empty">No premium refunded.</p>`;
    return html`<table class="grid" id="refund-table"><thead><tr><th>Campaign</th><th class="num">Orders refunded</th><th class="num">Yuan given back</th></tr></thead><tbody>
${totals.map((t) => html`<tr><td>#${t.campaignId}</td><td class="num">${count(t.orders)}</td><td class="num">${yuan(t.amount)}</td></tr>`)}
</tbody></table>`;
  },
};

export const handoffSection: Section = {
  id: 'handoff',
  title: 'Tax-bureau hand-off outcomes',
  async render({ app, campaigns }) {
    const outcomes = await receiptOutcomes(app.db.pool, (await campaigns()).map((c) => c.id));
    const rows = outcomes.flatMap((o) => o.counts.map((c) => ({ campaignId: o.campaignId, ...c })));
    if (rows.length === 0) return html`<p class="empty">No tax-bureau receipt imported.</p>`;
    return html`<p class="muted"><code>handoff report --campaign ID</code> lists each case, with <code>NOT_RECEIVED</code> orders.</p>
<table class="grid" id="handoff-table"><thead><tr><th>Campaign</th><th>Receipt outcome</th><th class="num">Receipts</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td>#${r.campaignId}</td><td><code>${r.code}</code></td><td class="num">${count(r.n)}</td></tr>`)}
</tbody></table>`;
  },
};
