/**
 * Server-side statement timings of a bench run: sums MariaDB's slow log by statement shape, per
 * bench step (the bench marks each step in the log), and prints the statements that took the most
 * time, with their share of the step.
 *
 *   node --import tsx scripts/bench/slow-log-digest.ts SLOW_LOG [--schema DB] [--top N]
 *
 * The bench's `--statement-log` sets long_query_time = 0 on its own sessions only; the server's
 * slow_query_log must be ON for the duration (see BENCHMARKS.md).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { schema: { type: 'string' }, top: { type: 'string', default: '20' } }, allowPositionals: true });
const file = positionals[0];
if (!file) throw new Error('usage: slow-log-digest.ts SLOW_LOG [--schema DB] [--top N]');

/** Literals and repeated lists become placeholders, so one statement of any batch size is one shape. */
function shapeOf(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    // Negative numbers and NULLs in value lists are values too.
    .replace(/([(,]\s*)(?:-\?|NULL)(?=\s*[,)])/g, '$1?')
    .replace(/([(,]\s*)(?:-\?|NULL)(?=\s*[,)])/g, '$1?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))+/g, '(…)+')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?+)')
    .replace(/(?:WHEN \? THEN \? ?)+/g, 'WHEN … ')
    .replace(/(?:SELECT \? AS \w+(?:, \? AS \w+)* UNION ALL ?)+SELECT \? AS \w+(?:, \? AS \w+)*/g, 'SELECT … UNION ALL …')
    .trim()
    .slice(0, 180);
}

interface Shape {
  count: number;
  seconds: number;
  lockSeconds: number;
  rowsExamined: number;
}

/** Step name → statement shape → totals. */
const steps = new Map<string, Map<string, Shape>>();
let step = '(before the first step)';
let entry: { schema: string; time: number; lock: number; examined: number; sql: string[] } | null = null;
const flush = () => {
  if (!entry || entry.sql.length === 0) return;
  if (values.schema && entry.schema !== values.schema) return;
  const sql = entry.sql.join(' ');
  const marker = /^SELECT '((?:[^'\\]|\\.)*)' AS bench_step/.exec(sql);
  if (marker) {
    step = marker[1]!;
    return;
  }
  const shape = shapeOf(sql);
  const shapes = steps.get(step) ?? new Map<string, Shape>();
  steps.set(step, shapes);
  const s = shapes.get(shape) ?? { count: 0, seconds: 0, lockSeconds: 0, rowsExamined: 0 };
  s.count++;
  s.seconds += entry.time;
  s.lockSeconds += entry.lock;
  s.rowsExamined += entry.examined;
  shapes.set(shape, s);
};

for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (line.startsWith('# User@Host:') || line.startsWith('# Time:')) {
    if (line.startsWith('# User@Host:')) {
      flush();
      entry = { schema: '', time: 0, lock: 0, examined: 0, sql: [] };
    }
    continue;
  }
  if (!entry) continue;
  const schema = /Schema: (\S+)/.exec(line);
  if (line.startsWith('#')) {
    if (schema) entry.schema = schema[1]!;
    const t = /Query_time: ([\d.]+)\s+Lock_time: ([\d.]+).*Rows_examined: (\d+)/.exec(line);
    if (t) {
      entry.time = Number(t[1]);
      entry.lock = Number(t[2]);
      entry.examined = Number(t[3]);
    }
    continue;
  }
  if (/^(SET timestamp=|use )/i.test(line)) continue;
  entry.sql.push(line);
}
flush();

for (const [name, shapes] of steps) {
  const total = [...shapes.values()].reduce((n, s) => n + s.seconds, 0);
  const top = [...shapes].sort((a, b) => b[1].seconds - a[1].seconds).slice(0, Number(values.top));
  process.stdout.write(`\n== ${name}: ${[...shapes.values()].reduce((n, s) => n + s.count, 0)} statements, ${total.toFixed(2)} s in the server\n`);
  process.stdout.write('share    seconds   count    ms/stmt  rows examined  statement\n');
  for (const [shape, s] of top) {
    process.stdout.write(`${((100 * s.seconds) / total).toFixed(1).padStart(5)}%  ${s.seconds.toFixed(2).padStart(8)}  ${String(s.count).padStart(6)}  ${((1000 * s.seconds) / s.count).toFixed(3).padStart(9)}  ${String(s.rowsExamined).padStart(13)}  ${shape}\n`);
  }
}
