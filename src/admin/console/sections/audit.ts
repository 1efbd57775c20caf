import { listActions } from '../../../audit/audit.repository.ts';
import { html } from '../../html.ts';
import { shanghai } from '../layout.ts';
import type { Section } from '../section.ts';

const SHOWN = 30;

export const auditSection: Section = {
  id: 'audit',
  title: 'Audit trail',
  async render({ app }) {
    const actions = await listActions(app.db.pool, SHOWN);
    if (actions.length === 0) return html`<p class="empty">No operator action recorded yet.</p>`;
    return html`<table class="grid" id="audit-table">
<thead><tr><th>When</th><th>Operator</th><th>Through</th><th>Action</th><th>Request</th><th class="num">Orders touched</th><th>Finished</th></tr></thead>
<tbody>
${actions.map((a) => html`<tr><td>${shanghai(a.createdAt)}</td><td>${a.operator}</td><td>${a.source}</td><td><code>${a.action}</code></td>
  <td><code class="params">${JSON.stringify(a.params)}</code></td><td class="num">${a.ordersTouched ?? ''}</td><td>${shanghai(a.finishedAt)}</td></tr>`)}
</tbody>
</table>
<p class="muted">The latest ${SHOWN} actions; <code>GET /api/actions?limit=N</code> gives more.</p>`;
  },
};
