import path from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Beneficiaries (resident insured) of the synthetic province; about two per family. */
  size: number;
  /** Rows of the one institution file reconciled (and settlement events imported for it). */
  reconRows: number;
  /** Orders paid one at a time by the naive baseline. */
  naiveSample: number;
  /** Scale-out: campaigns with 1 up to this many worker processes (0 skips it). */
  workers: number;
  json: boolean;
  /** Also writes the JSON results to this file. */
  out: string | null;
  /** Where generated files go (recreated). */
  dir: string;
  /** Sets long_query_time = 0 on the bench's own connections, for a digest of the slow log. */
  statementLog: boolean;
  /** Mutual-aid movements of the payer whose statement is timed. */
  statementMovements: number;
}

const USAGE = `usage: npm run bench -- [--size N] [--recon-rows N] [--naive-sample N] [--workers 0|1|2] [--json] [--out FILE] [--dir DIR] [--statement-log] [--statement-movements N]

  --size N           beneficiaries of the synthetic province (default 1000000)
  --recon-rows N     rows of the reconciliation file, and settlement events behind it (default: --size)
  --naive-sample N   orders paid one at a time by the naive baseline (default: a tenth of --size,
                     at least 1000 and at most 20000)
  --workers N        scale-out: the campaign with 1..N worker processes (default 2; 0 skips it)
  --json             one JSON object on stdout instead of the table
  --out FILE         also write that JSON object to FILE
  --dir DIR          where generated files go (default .bench/province)
  --statement-log    log every statement of this process to MariaDB's slow log (the server's
                     slow_query_log must be ON; see BENCHMARKS.md)
  --statement-movements N  movements of the payer whose statement is timed (default 5000)`;

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** Parses the command line; throws with the usage text on a bad option. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        size: { type: 'string' },
        'recon-rows': { type: 'string' },
        'naive-sample': { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        dir: { type: 'string' },
        'statement-log': { type: 'boolean', default: false },
        'statement-movements': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  // Fewer than a few hundred beneficiaries leave too few orders to time anything.
  const size = positiveInteger('size', v.size, 1_000_000, 200);
  const workers = positiveInteger('workers', v.workers, 2, 0);
  if (workers > 2) throw new Error('--workers must be 0, 1 or 2: more processes than cores measures contention, not scale-out');
  return {
    size,
    reconRows: positiveInteger('recon-rows', v['recon-rows'], size, 100),
    // A sample keeps the slow baseline to well under a minute; its rate does not depend on the size.
    naiveSample: positiveInteger('naive-sample', v['naive-sample'], Math.min(20_000, Math.max(1000, Math.round(size / 10)))),
    workers,
    json: v.json ?? false,
    out: v.out === undefined ? null : path.resolve(v.out),
    dir: path.resolve(v.dir ?? '.bench/province'),
    statementLog: v['statement-log'] ?? false,
    statementMovements: positiveInteger('statement-movements', v['statement-movements'], 5000),
  };
}

export { USAGE };
