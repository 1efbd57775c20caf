import { Gauge, Registry } from 'prom-client';
import type { App } from '../app.ts';
import { countOrders } from '../campaign/campaign.repository.ts';
import { campaignProgress } from '../operations/status.service.ts';
import { QUEUE_NAMES } from '../queue/catalog.ts';
import { reconGrid } from './console/console.queries.ts';

/**
 * BullMQ writes HELP and TYPE for every queue it exports; a scrape must name each family once, so
 * the queues' samples are gathered under one header per family.
 */
export function mergeFamilies(texts: string[]): string {
  const families = new Map<string, { header: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { header: [], samples: [] }));
    return f;
  };
  for (const line of texts.flatMap((t) => t.split('\n'))) {
    const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (comment) {
      const f = family(comment[2]!);
      if (!f.header.some((h) => h.startsWith(`# ${comment[1]} `))) f.header.push(line);
    } else if (line.trim() !== '') {
      // BullMQ separates labels with ", "; strict parsers want bare commas.
      family(/^[^{\s]+/.exec(line)![0]).samples.push(line.replace(/",\s+(?=[A-Za-z_][A-Za-z0-9_]*=")/g, '",'));
    }
  }
  return [...families.values()].map((f) => [...f.header, ...f.samples].join('\n')).join('\n');
}

/** Business gauges, read fresh at each scrape into a registry of their own. */
async function businessMetrics(app: App): Promise<string> {
  const registry = new Registry();
  const orders = new Gauge({
    name: 'premium_orders', help: 'Orders of each open campaign by status and failure code',
    labelNames: ['campaign_id', 'year', 'province', 'status', 'failure_code'] as const, registers: [registry],
  });
  const collected = new Gauge({
    name: 'premium_collected_yuan', help: 'Premiums collected so far by each open campaign, in yuan', labelNames: ['campaign_id'] as const, registers: [registry],
  });
  const recon = new Gauge({
    name: 'recon_last_day_outcomes', help: 'Outcomes of the last reconciled business day by code (MATCHED included)',
    labelNames: ['business_date', 'code'] as const, registers: [registry],
  });
  const silent = new Gauge({
    name: 'recon_last_day_institutions_without_file', help: 'Institutions with settlements on the last reconciled day that sent no file',
    labelNames: ['business_date'] as const, registers: [registry],
  });
  for (const c of (await campaignProgress(app)).filter((p) => p.open)) {
    const campaign = { campaign_id: String(c.id), year: String(c.year), province: c.province };
    for (const row of await countOrders(app.db.pool, c.id)) {
      orders.inc({ ...campaign, status: row.status, failure_code: row.failureCode ?? '' }, row.orders);
    }
    collected.set({ campaign_id: String(c.id) }, c.collected / 100);
  }
  const grid = await reconGrid(app.db.pool, 1);
  const day = grid?.days[0];
  if (grid && day) {
    const totals = new Map<string, number>();
    let withoutFile = 0;
    for (const institution of grid.institutions) {
      const cell = grid.cells[institution]?.[day];
      if (!cell) continue;
      if (!cell.file) withoutFile++;
      for (const [code, n] of Object.entries(cell.counts)) totals.set(code, (totals.get(code) ?? 0) + n);
    }
    for (const [code, n] of totals) recon.set({ business_date: day, code }, n);
    silent.set({ business_date: day }, withoutFile);
  }
  return registry.metrics();
}

/** The /metrics scrape: BullMQ's own export of every queue, then the business gauges. */
export async function metricsText(app: App): Promise<string> {
  const queues = await Promise.all(QUEUE_NAMES.map((name) => app.queues.get(name).exportPrometheusMetrics({ prefix: app.queues.prefix })));
  return `${mergeFamilies(queues)}\n${await businessMetrics(app)}`;
}
