import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Queryable } from '../../db/client.ts';
import type { LackingSettlement, TotalsGroup, TotalsLine } from '../../domain/national-files.ts';
import type { ReconFileName } from '../../domain/reconciliation.ts';
import type { TextEncoding } from '../../csv/encoding.ts';

// ---------------------------------------------------------------------------------------------
// 3201 totals files

export async function findTotalsVersion(db: Queryable, name: ReconFileName, sha256: string): Promise<{ archivedName: string } | null> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT archived_name FROM recon_totals_files WHERE business_date = ? AND fixmedins_code = ? AND sha256 = ?',
    [name.businessDate, name.fixmedinsCode, sha256],
  );
  return rows[0] ? { archivedName: rows[0].archived_name } : null;
}

export interface NewTotalsFile {
  name: ReconFileName;
  fileName: string;
  sha256: string;
  archivedName: string;
  encoding: TextEncoding;
  lines: TotalsLine[];
}

/** Records a totals file; the same content recorded by another run at once is one record. */
export async function insertTotalsFile(db: Queryable, f: NewTotalsFile): Promise<void> {
  await db.query(
    `INSERT IGNORE INTO recon_totals_files (business_date, fixmedins_code, file_name, sha256, archived_name, encoding, \`lines\`)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [f.name.businessDate, f.name.fixmedinsCode, f.fileName, f.sha256, f.archivedName, f.encoding, JSON.stringify(f.lines)],
  );
}

export interface LatestTotals {
  fixmedinsCode: string;
  fileName: string;
  lines: TotalsLine[];
}

/** Each institution's latest totals file of the day (the last processed), in institution order. */
export async function latestTotalsOfDay(db: Queryable, businessDate: string): Promise<LatestTotals[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT t.fixmedins_code, t.file_name, t.\`lines\` FROM recon_totals_files t
       JOIN (SELECT fixmedins_code, MAX(id) AS id FROM recon_totals_files WHERE business_date = ? GROUP BY fixmedins_code) l ON l.id = t.id
      ORDER BY t.fixmedins_code`,
    [businessDate],
  );
  return rows.map((r) => ({ fixmedinsCode: r.fixmedins_code, fileName: r.file_name, lines: JSON.parse(r.lines) as TotalsLine[] }));
}

/**
 * The institution's ledger totals of the day per (insutype, clr_type), refunds included with their
 * sign. fund_pay_sumamt is a total only when every settlement of the group knows it.
 */
export async function ledgerTotals(db: Queryable, businessDate: string, fixmedinsCode: string): Promise<TotalsGroup[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT insutype, clr_type, SUM(medfee_sumamt) AS medfee, SUM(fund_pay_sumamt) AS fund, COUNT(fund_pay_sumamt) AS fund_known,
            SUM(acct_pay) AS acct, COUNT(*) AS n
       FROM settlements WHERE business_date = ? AND fixmedins_code = ? GROUP BY insutype, clr_type`,
    [businessDate, fixmedinsCode],
  );
  return rows.map((r) => ({
    insutype: r.insutype, clrType: r.clr_type, medfeeSumamt: Number(r.medfee), acctPay: Number(r.acct), count: Number(r.n),
    fundPaySumamt: Number(r.fund_known) === Number(r.n) ? Number(r.fund) : null,
  }));
}

// ---------------------------------------------------------------------------------------------
// 3202 answers

const PAGE = 5000;

/** The institution's MISSING_IN_FILE settlements of the day, in setl_id order (their insertion order), a page at a time. */
export async function* lackingSettlements(pool: Pool, businessDate: string, fixmedinsCode: string): AsyncGenerator<LackingSettlement[]> {
  for (let after = 0; ;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT o.id, s.setl_id, s.mdtrt_id, s.psn_no, s.orig_settlement_id IS NOT NULL AS refund, s.medfee_sumamt, s.fund_pay_sumamt, s.acct_pay
         FROM recon_outcomes o JOIN settlements s ON s.id = o.settlement_id
        WHERE o.business_date = ? AND o.fixmedins_code = ? AND o.file_id IS NULL AND o.id > ? ORDER BY o.id LIMIT ?`,
      [businessDate, fixmedinsCode, after, PAGE],
    );
    if (rows.length > 0) {
      yield rows.map((r) => ({
        setlId: r.setl_id, mdtrtId: r.mdtrt_id, psnNo: r.psn_no, refund: Number(r.refund) === 1, medfeeSumamt: r.medfee_sumamt,
        fundPaySumamt: r.fund_pay_sumamt, acctPay: r.acct_pay,
      }));
    }
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.id;
  }
}
