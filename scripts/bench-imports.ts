/**
 * Measures import rates on generated province-like files in a scratch database (pw_bench_imports,
 * dropped and recreated). Usage: node --import tsx scripts/bench-imports.ts [persons=200000] [settlements=100000]
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { createDb } from '../src/db/client.ts';
import { recreateDatabase } from '../src/db/migrate.ts';
import { checkCharacter } from '../src/domain/id-number.ts';
import { IMPORTS } from '../src/imports/catalog.ts';
import { IMPORT_CONNECTIONS, runImport, type ImportKind } from '../src/imports/import-runner.ts';

const personCount = Number(process.argv[2] ?? 200_000);
const settlementCount = Number(process.argv[3] ?? 100_000);
const dir = path.resolve('.bench/imports');
mkdirSync(dir, { recursive: true });
const url = `${process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306'}/pw_bench_imports`;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const psnNo = (i: number) => `P${String(i).padStart(9, '0')}`;
const isEmployee = (i: number) => i % 10 < 7;
/** Patient of settlement i: a deterministic spread over all persons. */
const patientOf = (i: number) => 1 + ((i * 7919) % personCount);
const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

async function writeCsv(name: string, header: string, count: number, line: (i: number) => string): Promise<string> {
  const file = path.join(dir, name);
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 1; i <= count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

const files = {
  persons: await writeCsv('persons.csv', 'psn_no,id_number,name,insutype,admdvs,status,resident_category', personCount, (i) => {
    const first17 = `510104${1950 + (i % 60)}0101${String(i % 1000).padStart(3, '0')}`;
    return `${psnNo(i)},${first17}${checkCharacter(first17)},测试${i},${isEmployee(i) ? '310' : '390'},510104,active,${isEmployee(i) ? '' : 'adult'}`;
  }),
  institutions: await writeCsv('institutions.csv', 'fixmedins_code,name,type,admdvs,designated', 200, (i) => `H${i},机构${i},pharmacy,510104,${i % 50 === 0 ? 'false' : 'true'}`),
  accounts: await writeCsv('accounts.csv', 'psn_no,balance', personCount, (i) => `${psnNo(i)},${isEmployee(i) ? yuan(Math.floor(random() * 200_000)) : '0'}`),
  // Every resident (psn_no ending in 7-9) is bound to two employees a few numbers before them.
  bindings: await writeCsv('bindings.csv', 'payer_psn_no,beneficiary_psn_no,relationship,priority,bound_at,revoked_at', Math.floor(personCount * 0.6), (i) => {
    const k = Math.floor((i - 1) / 2);
    const resident = 10 * Math.floor(k / 3) + 7 + (k % 3);
    return `${psnNo(resident - 5 + ((i - 1) % 2))},${psnNo(resident)},parent,${1 + ((i - 1) % 2)},2020-01-01,`;
  }),
  settlements: await writeCsv('settlements.csv', 'setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,personal_burden,orig_setl_id', settlementCount, (i) => {
    const time = `2026-11-${String(1 + Math.floor(i / (settlementCount / 28 + 1))).padStart(2, '0')} 10:00:00`;
    // One row in 50 refunds the settlement 40 rows earlier, same patient and institution.
    const refunded = i % 50 === 0 && i > 40 ? i - 40 : null;
    const patient = patientOf(refunded ?? i);
    const institution = `H${1 + ((refunded ?? i) % 199)}`;
    if (refunded !== null) return `S${i},M${i},${psnNo(patient)},${institution},${time},-1.00,-1.00,S${refunded}`;
    const burden = Math.floor(random() * 30_000);
    return `S${i},M${i},${psnNo(patient)},${institution},${time},${yuan(burden * 2)},${yuan(burden)},`;
  }),
};

await recreateDatabase(url);
const db = createDb(url, IMPORT_CONNECTIONS);
try {
  for (const kind of ['persons', 'institutions', 'accounts', 'bindings', 'settlements'] as ImportKind[]) {
    for (const run of ['first', 're-import']) {
      const started = performance.now();
      const summary = await runImport(db, IMPORTS[kind], files[kind as keyof typeof files]);
      const seconds = (performance.now() - started) / 1000;
      const { errors: _errors, ...counts } = summary;
      console.log(`${kind.padEnd(12)} ${run.padEnd(9)} ${(summary.read / seconds).toFixed(0).padStart(7)} rows/s  ${seconds.toFixed(1)} s  ${JSON.stringify(counts)}`);
    }
  }
} finally {
  await db.close();
}
