import Table from 'cli-table3';
import type { CodeVersion, MachineInfo } from './machine.ts';
import type { StepProfile } from './profile.ts';

export interface Rate {
  count: number;
  seconds: number;
  per_s: number;
}

export const rate = (count: number, seconds: number): Rate => ({ count, seconds: round(seconds, 2), per_s: Math.round(count / seconds) });

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export interface ScaleOutRun {
  workers: number;
  orders: number;
  paid: number;
  seconds: number;
  orders_per_s: number;
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean;
}

/** Everything one run measured; the flat *_per_s keys are the stable interface of `--json`. */
export interface BenchResults {
  command: string;
  started_at: string;
  total_seconds: number;
  machine: MachineInfo;
  code: CodeVersion;
  load_average_start: number[];
  load_average_end: number[];
  province: { families: number; persons: number; beneficiaries: number; employees: number; bindings: number };

  campaign_orders: number;
  campaign_paid: number;
  campaign_seconds: number;
  campaign_orders_per_s: number;

  naive_orders: number;
  naive_paid: number;
  naive_seconds: number;
  naive_orders_per_s: number;
  naive_sample: string;
  campaign_speedup_vs_naive: number;

  raw_insert_rows: number;
  raw_insert_seconds: number;
  raw_insert_rows_per_s: number;
  campaign_fraction_of_raw_insert: number;

  recon_rows: number;
  recon_seconds: number;
  recon_rows_per_s: number;
  recon_cpu_seconds: number;
  recon_peak_rss_mb: number;
  recon_rss_at_start_mb: number;
  recon_counts: Record<string, number>;
  csv_parse_rows_per_s: number;
  recon_fraction_of_csv_parse: number;
  /** The same day from a national 3202 file (SPEC 11), plain and zipped, measured in the same run. */
  recon_3202_rows_per_s: number;
  recon_3202_peak_rss_mb: number;
  recon_3202_zip_rows_per_s: number;
  recon_3202_zip_peak_rss_mb: number;
  recon_3202_fraction_of_csv: number;
  recon_3202_zip_fraction_of_csv: number;

  settle_events: number;
  settle_imported: number;
  settle_rejected: number;
  settle_seconds: number;
  settle_events_per_s: number;

  scale_out: ScaleOutRun[];
  workers_1_orders_per_s?: number;
  workers_2_orders_per_s?: number;
  scale_out_2_vs_1?: number;

  imports: Record<string, Rate>;
  /** 1-minute load average before and after each measured step (this run's own work included). */
  load_1m: Record<string, [number, number]>;
  /** Per measured step: where its time went (scripts/bench/profile.ts). */
  profiles: Record<string, StepProfile>;
  /** A payer's statement (median of five reads after a first one), its rows, and the ledger's size then. */
  statement_ms: number;
  statement_first_ms: number;
  statement_rows: number;
  statement_ledger_entries: number;
  ledger_consistent: boolean;
  /** `ledger verify --full` at the ledger's size then, and the incremental verify after a small day's work. */
  verify_full_ms: number;
  verify_incremental_ms: number;
  verify_full_entries: number;
  verify_incremental_entries_read: number;
  /** The baseline of the full verify: the same ledger streamed once in id order by the same client, rows dropped; and full / that. */
  verify_sequential_read_ms: number;
  verify_full_vs_sequential_read: number;
  /** The same three at the bench's own ledger size, before `--grow-ledger` (the keys above are at the largest size measured). */
  verify_at_bench_size: { full_ms: number; incremental_ms: number; entries: number; incremental_entries_read: number; sequential_read_ms: number };
  ledger: { entries: number; accounts: number; orders: number; settlements: number; problems: number };
  targets: Record<string, TargetCheck>;
}

/** Issue-level targets at full size (1,000,000); ratios are between figures of the same run. */
export function checkTargets(r: Omit<BenchResults, 'targets'>): Record<string, TargetCheck> {
  const targets: Record<string, TargetCheck> = {
    campaign_rate: { target: 'campaign >= 30,000 orders/s', value: `${fmt(r.campaign_orders_per_s)} orders/s`, met: r.campaign_orders_per_s >= 30_000 },
    campaign_vs_naive: { target: 'campaign >= 30x naive', value: `${r.campaign_speedup_vs_naive}x`, met: r.campaign_speedup_vs_naive >= 30 },
    recon_vs_csv_parse: { target: 'reconciliation >= 0.6 of csv-parse', value: `${r.recon_fraction_of_csv_parse}`, met: r.recon_fraction_of_csv_parse >= 0.6 },
    recon_rss: { target: 'reconciliation < 300 MB peak RSS', value: `${r.recon_peak_rss_mb} MB`, met: r.recon_peak_rss_mb < 300 },
    recon_3202_vs_csv: { target: '3202 file >= 0.9 of the CSV rate', value: `${r.recon_3202_fraction_of_csv}`, met: r.recon_3202_fraction_of_csv >= 0.9 },
    recon_3202_zip_vs_csv: {
      target: 'zipped 3202 file >= 0.9 of the CSV rate', value: `${r.recon_3202_zip_fraction_of_csv}`, met: r.recon_3202_zip_fraction_of_csv >= 0.9,
    },
    recon_3202_rss: {
      target: '3202 files < 300 MB peak RSS', value: `${r.recon_3202_peak_rss_mb} MB, zipped ${r.recon_3202_zip_peak_rss_mb} MB`,
      met: r.recon_3202_peak_rss_mb < 300 && r.recon_3202_zip_peak_rss_mb < 300,
    },
    settle_rate: { target: 'settlements >= 25,000 events/s', value: `${fmt(r.settle_events_per_s)} events/s`, met: r.settle_events_per_s >= 25_000 },
    statement: {
      target: 'statement < 50 ms at 10,000,000 entries',
      value: `${fmt(r.statement_ms)} ms (${fmt(r.statement_rows)} rows, ledger of ${fmt(r.statement_ledger_entries)})`,
      met: r.statement_ms < 50 && r.statement_ledger_entries >= 10_000_000,
    },
    verify_incremental: {
      target: 'incremental ledger verify <= 5 s at 10,000,000 entries',
      value: `${fmt(r.verify_incremental_ms)} ms (ledger of ${fmt(r.verify_full_entries)})`,
      met: r.verify_incremental_ms <= 5_000 && r.verify_full_entries >= 10_000_000,
    },
    verify_full_vs_read: {
      target: 'ledger verify --full <= 1.5x one sequential read of the ledger',
      value: `${r.verify_full_vs_sequential_read}x (${fmt(r.verify_full_ms)} ms against ${fmt(r.verify_sequential_read_ms)} ms, ledger of ${fmt(r.verify_full_entries)})`,
      met: r.verify_full_vs_sequential_read <= 1.5,
    },
  };
  return targets;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

export function renderTable(r: BenchResults): string {
  const table = new Table({ head: ['measurement', 'volume', 'time', 'rate', 'against the baseline', 'load 1m'], style: { head: [], border: [] } });
  const load = (step: string) => {
    const l = r.load_1m[step];
    return l ? `${l[0]} → ${l[1]}` : '';
  };
  table.push(
    ['1. campaign end to end (in-process workers)', `${fmt(r.campaign_orders)} orders`, `${r.campaign_seconds} s`, `${fmt(r.campaign_orders_per_s)} orders/s`,
      `${r.campaign_speedup_vs_naive}x naive; ${r.campaign_fraction_of_raw_insert} of raw insert`, load('campaign')],
    ['2. naive baseline (1 tx per order)', `${fmt(r.naive_orders)} orders (sample)`, `${r.naive_seconds} s`, `${fmt(r.naive_orders_per_s)} orders/s`, 'baseline', load('naive')],
    ['3. raw multi-row INSERT (ledger-like)', `${fmt(r.raw_insert_rows)} rows`, `${r.raw_insert_seconds} s`, `${fmt(r.raw_insert_rows_per_s)} rows/s`, 'ceiling', load('raw insert')],
    ['4. reconciliation (recon run --wait)', `${fmt(r.recon_rows)} rows`, `${r.recon_seconds} s`, `${fmt(r.recon_rows_per_s)} rows/s`,
      `${r.recon_fraction_of_csv_parse} of csv-parse; peak RSS ${r.recon_peak_rss_mb} MB`, load('recon')],
    ['   csv-parse alone, rows as arrays', `${fmt(r.recon_rows)} rows`, '', `${fmt(r.csv_parse_rows_per_s)} rows/s`, 'ceiling', load('csv-parse')],
    ['   the same day from a 3202 file', `${fmt(r.recon_rows)} rows`, '', `${fmt(r.recon_3202_rows_per_s)} rows/s`,
      `${r.recon_3202_fraction_of_csv} of CSV; peak RSS ${r.recon_3202_peak_rss_mb} MB`, load('recon 3202')],
    ['   the same day from a zipped 3202 file', `${fmt(r.recon_rows)} rows`, '', `${fmt(r.recon_3202_zip_rows_per_s)} rows/s`,
      `${r.recon_3202_zip_fraction_of_csv} of CSV; peak RSS ${r.recon_3202_zip_peak_rss_mb} MB`, load('recon 3202 zip')],
    ['5. settlements import', `${fmt(r.settle_events)} events`, `${r.settle_seconds} s`, `${fmt(r.settle_events_per_s)} events/s`,
      `${fmt(r.settle_rejected)} rejected (not designated)`, load('settlements')],
    ...r.scale_out.map((s) => [
      `6. campaign on ${s.workers} worker process${s.workers > 1 ? 'es' : ''}`, `${fmt(s.orders)} orders`, `${s.seconds} s`, `${fmt(s.orders_per_s)} orders/s`,
      s.workers === 2 && r.scale_out_2_vs_1 !== undefined ? `${r.scale_out_2_vs_1}x one process` : `${round(s.orders_per_s / r.campaign_orders_per_s)} of in-process`,
      load(`workers ${s.workers}`),
    ]),
    ...verifyRows(r, load),
  );
  return table.toString();
}

function verifyRows(r: BenchResults, load: (step: string) => string): string[][] {
  const b = r.verify_at_bench_size;
  const grown = r.verify_full_entries !== b.entries;
  const rows = (entries: number, fullMs: number, readMs: number, incMs: number, incRead: number, loadOf: string) => [
    ['7. ledger verify --full', `${fmt(entries)} entries`, `${fmt(fullMs)} ms`, '', `${round(fullMs / readMs)}x one sequential read`, load(loadOf)],
    ['   one sequential read of the ledger', `${fmt(entries)} entries`, `${fmt(readMs)} ms`, '', 'baseline', load(loadOf)],
    ['   ledger verify (incremental)', `${fmt(incRead)} new entries`, `${fmt(incMs)} ms`, '', 'after a checkpoint', load(loadOf)],
  ];
  return [
    ...rows(b.entries, b.full_ms, b.sequential_read_ms, b.incremental_ms, b.incremental_entries_read, 'verify'),
    ...(grown ? rows(r.verify_full_entries, r.verify_full_ms, r.verify_sequential_read_ms, r.verify_incremental_ms, r.verify_incremental_entries_read, 'verify grown') : []),
  ];
}

export function renderTargets(r: BenchResults): string {
  const table = new Table({ head: ['target', 'measured', ''], style: { head: [], border: [] } });
  for (const t of Object.values(r.targets)) table.push([t.target, t.value, t.met ? 'met' : 'MISSED']);
  return table.toString();
}
