import { html, jsonScript, type Html } from '../../html.ts';
import { FILE_CODES, reconGrid, type GridCode, type ReconCell } from '../console.queries.ts';
import { count } from '../layout.ts';
import type { Section } from '../section.ts';

const DAYS = 7;
const DISCREPANCIES: GridCode[] = [...FILE_CODES.filter((c) => c !== 'MATCHED'), 'MISSING_IN_FILE'];
const COLOURS: Record<string, string> = {
  AMOUNT_MISMATCH: '#e08a00', WRONG_PAYEE: '#8e24aa', MISSING_IN_LEDGER: '#1e63b8', DUPLICATE_ROW: '#00838f', INVALID_ROW: '#6d4c41', MISSING_IN_FILE: '#c62828',
};
const SHORT: Record<string, string> = {
  AMOUNT_MISMATCH: 'amount', WRONG_PAYEE: 'payee', MISSING_IN_LEDGER: 'not in ledger', DUPLICATE_ROW: 'duplicate', INVALID_ROW: 'invalid', MISSING_IN_FILE: 'missing in file',
};

function renderCell(c: ReconCell | undefined): Html {
  if (!c) return html`<td class="cell cell-none" title="no file, nothing due">–</td>`;
  const problems = DISCREPANCIES.filter((code) => (c.counts[code] ?? 0) > 0);
  if (!c.file) {
    return html`<td class="cell cell-silent" data-silent title="no file was received; the ledger has settlements of this day">NO FILE<br><small>${count(c.counts.MISSING_IN_FILE ?? 0)} missing</small></td>`;
  }
  const matched = html`<span class="ok">✓ ${count(c.counts.MATCHED ?? 0)}</span>`;
  if (problems.length === 0) return html`<td class="cell cell-ok" title="${c.file}">${matched}</td>`;
  return html`<td class="cell cell-warn" title="${c.file}">${matched}${problems.map((code) => html`<br><span class="code-badge" style="border-color:${COLOURS[code]}">${SHORT[code]} ${count(c.counts[code]!)}</span>`)}</td>`;
}

export const reconciliationSection: Section = {
  id: 'reconciliation',
  title: 'Reconciliation by institution',
  async render({ app }) {
    const grid = await reconGrid(app.db.pool, DAYS);
    if (!grid) return null;
    if (grid.days.length === 0) return html`<p class="empty">No business day reconciled yet: <code>premium-worker recon run --date YYYY-MM-DD</code>.</p>`;
    const ascending = [...grid.days].reverse();
    const total = (day: string, code: GridCode) => grid.institutions.reduce((n, i) => n + (grid.cells[i]?.[day]?.counts[code] ?? 0), 0);
    const chart = {
      labels: ascending,
      datasets: DISCREPANCIES.map((code) => ({ label: code, data: ascending.map((d) => total(d, code)), backgroundColor: COLOURS[code] })),
    };
    const silent = grid.institutions.filter((i) => grid.days.some((d) => grid.cells[i]?.[d] && !grid.cells[i]![d]!.file));
    return html`
${silent.length > 0 ? html`<p class="alert" id="silent-alert"><strong>${silent.length} institution(s) sent no file</strong> on a day they had settlements: ${silent.join(', ')}.</p>` : ''}
<div class="chart" style="height:220px"><canvas data-chart="recon-chart" data-stacked="x" aria-label="discrepancies per day by code"></canvas></div>
${jsonScript('recon-chart', chart)}
<div class="scroll">
<table class="grid recon" id="recon-grid">
<thead><tr><th>Institution</th>${grid.days.map((d) => html`<th>${d}</th>`)}</tr></thead>
<tbody>
${grid.institutions.map((i) => html`<tr data-institution="${i}"${silent.includes(i) ? ' class="row-silent"' : ''}><th scope="row"><code>${i}</code></th>${grid.days.map((d) => renderCell(grid.cells[i]?.[d]))}</tr>`)}
</tbody>
</table>
</div>
<p class="muted">Each cell: rows matched (✓) and every other code's count from the institution's latest file of the day. <span class="legend-silent">NO FILE</span> marks a day the institution sent nothing although the ledger has its settlements.</p>`;
  },
};
