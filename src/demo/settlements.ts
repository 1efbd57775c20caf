import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { formatYuan } from '../domain/money.ts';
import { compactDate } from '../domain/time.ts';
import { LineWriter } from './csv-writer.ts';
import { institutionCodes } from './province.ts';
import { writeZip } from './zip.ts';
import { Random } from './random.ts';

const SETTLEMENT_COLUMNS = [
  'setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'personal_burden', 'orig_setl_id', 'fund_pay_sumamt', 'insutype', 'clr_type',
];

/**
 * One business day of pharmacy and hospital settlements for people already imported: most at
 * designated institutions, a few at the one that is not (rejected as NOT_DESIGNATED), and refunds
 * of some earlier settlements of the same day.
 */
export async function generateSettlements(pool: Pool, options: { dir: string; day: string; events: number; seed?: number }): Promise<string> {
  const rnd = new Random(options.seed ?? 7);
  const [people] = await pool.query<RowDataPacket[]>('SELECT psn_no, insutype FROM persons WHERE id % 7 = 3 ORDER BY id LIMIT ?', [options.events]);
  const codes = institutionCodes();
  const file = path.join(options.dir, `settlements_${compactDate(options.day)}.csv`);
  const out = new LineWriter(file, SETTLEMENT_COLUMNS);
  const refundable: { setlId: string; psnNo: string; code: string; insutype: string; clrType: string }[] = [];
  for (let i = 0; i < options.events; i++) {
    const psnNo = people[i % people.length]!.psn_no as string;
    const insutype = people[i % people.length]!.insutype as string;
    const code = rnd.chance(0.01) ? codes[codes.length - 1]! : codes[rnd.int(0, codes.length - 2)]!;
    const setlId = `S${compactDate(options.day)}${String(i + 1).padStart(7, '0')}`;
    const time = `${options.day} ${String(8 + Math.floor((i / options.events) * 12)).padStart(2, '0')}:${String(rnd.int(0, 59)).padStart(2, '0')}:${String(rnd.int(0, 59)).padStart(2, '0')}`;
    const burden = rnd.int(500, 60000);
    const funds = rnd.int(0, 80000);
    // 清算类别: 11 outpatient at a hospital, 41 a pharmacy's retail sale.
    const clrType = code.startsWith('H') ? '11' : '41';
    await out.row([setlId, `M${setlId.slice(1)}`, psnNo, code, time, formatYuan(burden + funds), formatYuan(burden), '', formatYuan(funds), insutype, clrType]);
    if (rnd.chance(0.02)) refundable.push({ setlId, psnNo, code, insutype, clrType });
  }
  for (const [k, r] of refundable.entries()) {
    await out.row([`R${r.setlId.slice(1)}`, '', r.psnNo, r.code, `${options.day} 21:${String(k % 60).padStart(2, '0')}:00`, '0', '0', r.setlId, '0', r.insutype, r.clrType]);
  }
  await out.close();
  return file;
}

const FILE_COLUMNS = ['setl_id', 'mdtrt_id', 'psn_no', 'fixmedins_code', 'setl_time', 'medfee_sumamt', 'acct_pay', 'acct_mulaid_pay', 'refd_setl_flag'];
const CHINESE_COLUMNS = ['结算ID', '就诊ID', '人员编号', '定点医药机构编号', '结算时间', '医疗费总额', '个人账户支出', '个人账户共济支付金额', '退费结算标志'];

/**
 * Writes each designated institution's detail file for the day from the ledger, as institutions
 * would, and plants one discrepancy of every kind: the first institution changes an amount,
 * reports another patient, adds a settlement the ledger never made, repeats a row, sends a row with
 * a bad amount and a cell that would be a spreadsheet formula, and leaves one settlement out; the
 * second sends GB18030 with Chinese headers; the third sends nothing at all. Of the national
 * platform's files (SPEC 11): the fourth sends a zipped GB18030 3202 file with one amount off, the
 * fifth balanced 3201 totals only, the sixth 3201 totals that do not balance.
 */
export async function writeInstitutionFiles(pool: Pool, options: { inbox: string; day: string }): Promise<string[]> {
  await mkdir(options.inbox, { recursive: true });
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT setl_id, mdtrt_id, psn_no, fixmedins_code, setl_time, medfee_sumamt, acct_pay, acct_mulaid_pay, orig_settlement_id, fund_pay_sumamt,
            insutype, clr_type
       FROM settlements WHERE business_date = ? ORDER BY fixmedins_code, setl_time, setl_id`,
    [options.day],
  );
  const byInstitution = new Map<string, string[][]>();
  const ledgerOf = new Map<string, RowDataPacket[]>();
  for (const r of rows) {
    ledgerOf.set(r.fixmedins_code, [...(ledgerOf.get(r.fixmedins_code) ?? []), r]);
    const refund = r.orig_settlement_id !== null;
    const list = byInstitution.get(r.fixmedins_code) ?? [];
    list.push([r.setl_id, r.mdtrt_id ?? '', r.psn_no, r.fixmedins_code, r.setl_time, formatYuan(refund ? -Math.abs(r.medfee_sumamt) : r.medfee_sumamt), formatYuan(r.acct_pay), formatYuan(r.acct_mulaid_pay), refund ? '1' : '0']);
    byInstitution.set(r.fixmedins_code, list);
  }
  const written: string[] = [];
  const [first, second, silent, zipped, balanced, unbalanced] = [...byInstitution.keys()];
  const day = compactDate(options.day);
  for (const [code, lines] of byInstitution) {
    if (code === silent) continue;
    if (code === zipped) {
      written.push(await writeZipped3202(options.inbox, `${code}_${day}.3202`, ledgerOf.get(code)!));
      continue;
    }
    if (code === balanced || code === unbalanced) {
      const file = path.join(options.inbox, `${code}_${day}.3201.txt`);
      await writeFile(file, totalsText(ledgerOf.get(code)!, code === unbalanced));
      written.push(file);
      continue;
    }
    let header = FILE_COLUMNS;
    if (code === first && lines.length >= 6) {
      lines[0]![6] = formatYuan(Number(lines[0]![6]!.replace('.', '')) + 100);
      lines[1]![2] = lines[2]![2]!;
      lines.push([...lines[3]!]);
      lines.splice(4, 1);
      lines.push([`X${compactDate(options.day)}0000001`, '', lines[0]![2]!, code, `${options.day} 12:00:00`, '10.00', '10.00', '0.00', '0']);
      lines.push(['=HYPERLINK("http://example.invalid")', '', lines[0]![2]!, code, `${options.day} 12:00:01`, '5.00', '5.00', '0.00', '0']);
      lines.push([`X${compactDate(options.day)}0000002`, '', lines[0]![2]!, code, `${options.day} 12:00:02`, '1.234', '0', '0', '0']);
    }
    if (code === second) header = CHINESE_COLUMNS;
    const text = [header, ...lines].map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
    const file = path.join(options.inbox, `${code}_${compactDate(options.day)}.csv`);
    await writeFile(file, code === second ? iconv.encode(text, 'gb18030') : text);
    written.push(file);
  }
  return written;
}

const cell = (value: string | null | undefined) => (value === null || value === undefined || value === '' ? 'null' : value);

/** A 3202 file from the ledger, GB18030 inside a zip, with one patient's account payment off by a yuan. */
async function writeZipped3202(inbox: string, stem: string, ledger: RowDataPacket[]): Promise<string> {
  const lines = ledger.map((r, i) => [
    r.setl_id, cell(r.mdtrt_id), r.psn_no, formatYuan(r.medfee_sumamt), r.fund_pay_sumamt === null ? 'null' : formatYuan(r.fund_pay_sumamt),
    formatYuan(r.acct_pay + (i === 0 && r.orig_settlement_id === null ? 100 : 0)), r.orig_settlement_id === null ? '0' : '1',
  ].join('\t'));
  const file = path.join(inbox, `${stem}.zip`);
  await writeZip(file, { [`${stem}.txt`]: iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030') });
  return file;
}

/** 3201 totals per (insutype, clr_type) of the ledger's settlements; `off`: the first line's medfee_sumamt a yuan too high. */
function totalsText(ledger: RowDataPacket[], off: boolean): string {
  const groups = new Map<string, { medfee: number; fund: number | null; acct: number; count: number }>();
  for (const r of ledger) {
    const key = `${cell(r.insutype)}\t${cell(r.clr_type)}`;
    const g = groups.get(key) ?? { medfee: 0, fund: 0, acct: 0, count: 0 };
    g.medfee += r.medfee_sumamt;
    g.fund = g.fund === null || r.fund_pay_sumamt === null ? null : g.fund + r.fund_pay_sumamt;
    g.acct += r.acct_pay;
    g.count++;
    groups.set(key, g);
  }
  return [...groups].map(([key, g], i) =>
    `${key}\t${formatYuan(g.medfee + (off && i === 0 ? 100 : 0))}\t${g.fund === null ? 'null' : formatYuan(g.fund)}\t${formatYuan(g.acct)}\t${g.count}\n`).join('');
}
