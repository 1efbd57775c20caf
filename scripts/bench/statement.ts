import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { Db } from '../../src/db/client.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { institutionCodes } from '../../src/demo/province.ts';
import { IMPORTS } from '../../src/imports/catalog.ts';
import { runImport } from '../../src/imports/import-runner.ts';
import { insertAccounts } from '../../src/ledger/accounts.ts';
import { loadStatement } from '../../src/statements/statement.queries.ts';

export interface StatementRun {
  /** Mutual-aid movements of the person measured (rows of the statement). */
  rows: number;
  /** Entries in the whole ledger when measured. */
  ledgerEntries: number;
  /** The first statement read, and the median of five more. */
  firstMs: number;
  medianMs: number;
}

const PAYER = 'BENCHPAYER';
const RELATIVE = 'BENCHKIN';

/**
 * A payer whose account paid `movements` pharmacy bills of one relative, imported through the
 * settlements import like any other, then that payer's statement read from the full ledger.
 */
export async function measureStatement(db: Db, dir: string, movements: number): Promise<StatementRun> {
  await db.pool.query(
    `INSERT INTO persons (psn_no, id_number, name, insutype, admdvs, status, resident_category)
     VALUES (?, '11010519491231002X', '甲', '310', '510104', 'active', NULL), (?, '11010519491231002X', '乙', '390', '510104', 'active', 'adult')`,
    [PAYER, RELATIVE],
  );
  const [persons] = await db.pool.query<RowDataPacket[]>('SELECT id FROM persons WHERE psn_no IN (?, ?) ORDER BY psn_no DESC', [PAYER, RELATIVE]);
  const [payerId, relativeId] = persons.map((p) => p.id as number);
  await inTransaction(db.pool, (conn) => insertAccounts(conn, [{ personId: payerId!, balance: movements * 100 }]));
  await db.pool.query("INSERT INTO bindings (beneficiary_id, payer_id, relationship, priority, bound_at) VALUES (?, ?, 'parent', 1, '2020-01-01 00:00:00')", [relativeId, payerId]);

  const pharmacy = institutionCodes('51')[0]!;
  const lines = ['setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,personal_burden,orig_setl_id'];
  for (let i = 0; i < movements; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + Math.floor((i * 365) / movements) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`BST${String(i).padStart(8, '0')},,${RELATIVE},${pharmacy},${day} 10:00:00,1.00,1.00,`);
  }
  const file = path.join(dir, 'statement-settlements.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  const imported = await runImport(db, IMPORTS.settlements, file);
  if (imported.imported !== movements) throw new Error(`statement bench: ${imported.imported} of ${movements} settlements imported`);

  const [[{ n }]] = (await db.pool.query('SELECT COUNT(*) AS n FROM ledger_entries')) as unknown as [[{ n: number }]];
  const timings: number[] = [];
  let rows = 0;
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    rows = (await loadStatement(db.pool, PAYER, { from: null, to: null }))!.rows.length;
    timings.push(performance.now() - t0);
  }
  const warm = timings.slice(1).sort((a, b) => a - b);
  return { rows, ledgerEntries: Number(n), firstMs: Math.round(timings[0]!), medianMs: Math.round(warm[2]!) };
}
