/**
 * csv-parse alone on a file, rows as arrays, nothing else done with them: the ceiling a
 * reconciliation of the same file is compared against. Runs in its own process like the
 * reconciliation, so both start from the same empty heap. Prints one JSON line. Argument: FILE.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) throw new Error('usage: parse-child.ts FILE');

const started = performance.now();
let records = 0;
const parser = createReadStream(file).pipe(parse({ relax_column_count: true }));
parser.on('data', () => records++);
await once(parser, 'end');
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ rows: records - 1, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
