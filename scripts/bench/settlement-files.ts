import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import yazl from 'yazl';
import { LineWriter } from '../../src/demo/csv-writer.ts';
import { institutionCodes } from '../../src/demo/province.ts';
import { Random } from '../../src/demo/random.ts';
import { formatYuan } from '../../src/domain/money.ts';
import { compactDate } from '../../src/domain/time.ts';

/** The business day every generated settlement falls on, and that reconciliation reconciles. */
export const RECON_DAY = '2026-11-23';

/** The big hospital whose day file is reconciled: it gets almost every settlement of the day. */
export function reconInstitution(): string {
  return institutionCodes('51').find((code) => code.startsWith('H'))!;
}

const setlIdOf = (i: number) => `S${compactDate(RECON_DAY)}${String(i).padStart(9, '0')}`;
const timeOf = (seconds: number) => {
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  return `${RECON_DAY} ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
};

/** Up to this many patients, spread over the whole province (employees and residents alike). */
const PATIENTS = 200_000;

async function samplePatients(pool: Pool): Promise<string[]> {
  const [[{ n }]] = (await pool.query('SELECT COUNT(*) AS n FROM persons')) as unknown as [[{ n: number }]];
  const step = Math.max(1, Math.ceil(Number(n) / PATIENTS));
  const [rows] = await pool.query<RowDataPacket[]>({ sql: 'SELECT psn_no FROM persons WHERE MOD(id, ?) = 0 ORDER BY id', values: [step], rowsAsArray: true });
  return rows.map((r) => r[0] as string);
}

export interface SettlementsFile {
  file: string;
  /** Events in the file. */
  events: number;
  /** Of which at the reconciled hospital: exactly the requested reconciliation rows. */
  atReconInstitution: number;
}

/**
 * A day of settlements for the province's people: `reconRows` at the big hospital (one in fifty a
 * refund of a settlement forty rows earlier, same patient and hospital), one in fifty at the other
 * designated institutions, one in a thousand at the non-designated one (rejected as NOT_DESIGNATED,
 * as real files have some). Times grow through the day, so refunds follow their settlement.
 */
export async function writeSettlementsFile(pool: Pool, dir: string, reconRows: number): Promise<SettlementsFile> {
  const patients = await samplePatients(pool);
  const codes = institutionCodes('51');
  const hospital = reconInstitution();
  const others = codes.slice(0, -1).filter((c) => c !== hospital);
  const notDesignated = codes.at(-1)!;
  const rnd = new Random(20261123);
  const writer = new LineWriter(path.join(dir, 'settlements.csv'), [
    'setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'personal_burden', 'orig_setl_id', 'fund_pay_sumamt',
  ]);
  const patientOf = (i: number) => patients[(i * 7919) % patients.length]!;
  let atHospital = 0;
  let i = 0;
  while (atHospital < reconRows) {
    i++;
    const seconds = 8 * 3600 + Math.floor((atHospital * 14 * 3600) / reconRows);
    const institution = i % 1000 === 999 ? notDesignated : i % 50 === 25 ? others[i % others.length]! : hospital;
    if (institution === hospital) atHospital++;
    // i - 40 is then ≡ 10 (mod 50): always a plain settlement at the hospital.
    if (institution === hospital && i % 50 === 0 && i > 100) {
      await writer.row([setlIdOf(i), `M${i}`, patientOf(i - 40), hospital, timeOf(seconds), '-1.00', '-1.00', setlIdOf(i - 40), '0.00']);
      continue;
    }
    const burden = rnd.int(0, 30_000);
    const funds = burden + rnd.int(0, 5000);
    await writer.row([setlIdOf(i), `M${i}`, patientOf(i), institution, timeOf(seconds), formatYuan(burden + funds), formatYuan(burden), '', formatYuan(funds)]);
  }
  await writer.close();
  return { file: writer.path, events: i, atReconInstitution: atHospital };
}

export interface ReconFile {
  file: string;
  rows: number;
}

type LedgerRow = [id: number, setlId: string, mdtrtId: string, psnNo: string, setlTime: string, medfee: number, fund: number, acctPay: number, mulaid: number, refund: number];

/** Each format's line of a ledger row, and where its setl_id, psn_no, medfee_sumamt and acct_pay sit. */
const DETAIL_FORMATS = {
  csv: {
    line: (r: LedgerRow, hospital: string) => [r[1], r[2], r[3], hospital, r[4], formatYuan(r[5]), formatYuan(r[7]), formatYuan(r[8]), r[9] ? 1 : 0],
    at: { setlId: 0, psnNo: 2, medfee: 5, acctPay: 6 },
  },
  '3202': {
    line: (r: LedgerRow) => [r[1], r[2], r[3], formatYuan(r[5]), formatYuan(r[6]), formatYuan(r[7]), r[9] ? 1 : 0],
    at: { setlId: 0, psnNo: 2, medfee: 3, acctPay: 5 },
  },
};

/**
 * The hospital's detail file of the day, written from what the ledger recorded (our CSV or the
 * national 3202 file, `.3202.zip` when `zipped`), with the faults a real day has: one amount in a
 * thousand off by a fen, and every ten thousand rows a wrong patient, an unreadable amount, a row
 * the hospital does not know of (MISSING_IN_LEDGER) in place of one it left out (MISSING_IN_FILE),
 * and a duplicate.
 */
export async function writeReconFile(pool: Pool, dir: string, format: 'csv' | '3202' = 'csv', zipped = false): Promise<ReconFile> {
  const hospital = reconInstitution();
  const { line: lineOf, at } = DETAIL_FORMATS[format];
  const file = path.join(dir, `${hospital}_${compactDate(RECON_DAY)}.${format === 'csv' ? 'csv' : '3202.txt'}`);
  const writer = format === 'csv'
    ? new LineWriter(file, ['setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'acct_pay', 'acct_mulaid_pay', 'refd_setl_flag'])
    : new TabWriter(file);
  let rows = 0;
  let previous: (string | number)[] | null = null;
  for (let after = 0; ;) {
    const [page] = await pool.query<RowDataPacket[]>({
      sql: `SELECT id, setl_id, mdtrt_id, psn_no, setl_time, medfee_sumamt, fund_pay_sumamt, acct_pay, acct_mulaid_pay, orig_settlement_id IS NOT NULL
              FROM settlements WHERE business_date = ? AND fixmedins_code = ? AND id > ? ORDER BY id LIMIT 20000`,
      values: [RECON_DAY, hospital, after],
      rowsAsArray: true,
    });
    for (const r of page as unknown as LedgerRow[]) {
      rows++;
      const k = rows % 10_000;
      let line: (string | number)[] = lineOf(r, hospital);
      if (rows % 1000 === 500 && !r[9]) line[at.acctPay] = formatYuan(r[7] + 1);
      if (k === 456) line[at.psnNo] = `${r[3]}X`;
      if (k === 123) line[at.medfee] = '12.3.4';
      if (k === 789) line[at.setlId] = `${r[1]}Z`;
      if (k === 4321 && previous) line = previous;
      await writer.row(line);
      previous = line;
      after = r[0];
    }
    if (page.length < 20000) break;
  }
  await writer.close();
  if (!zipped) return { file, rows };
  const zip = new yazl.ZipFile();
  zip.addFile(file, path.basename(file));
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file.replace(/\.txt$/, '.zip')));
  await rm(file);
  return { file: file.replace(/\.txt$/, '.zip'), rows };
}

/** Tab-separated lines without a header, as the national platform's files are written. */
class TabWriter {
  private readonly out: WriteStream;

  constructor(file: string) {
    this.out = createWriteStream(file);
  }

  async row(cells: (string | number)[]): Promise<void> {
    if (!this.out.write(`${cells.join('\t')}\n`)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
