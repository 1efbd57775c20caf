import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { detectEncoding, type TextEncoding } from '../../csv/encoding.ts';
import { readTabSeparated } from '../../csv/read-csv.ts';
import { compareTotals, parseTotalsLine, TOTALS_FIELDS, totalsAnswerLine, type TotalsLine } from '../../domain/national-files.ts';
import { archivedFileName, type ReconFileName } from '../../domain/reconciliation.ts';
import { compactDate } from '../../domain/time.ts';
import { logger } from '../../logger.ts';
import { archiveFile, fileExists, rejectFile, sha256OfFile } from '../inbox.ts';
import { institutionExists } from '../recon.repository.ts';
import { findTotalsVersion, insertTotalsFile, latestTotalsOfDay, ledgerTotals } from './national.repository.ts';
import { writeAnswerFile } from './answer-file.ts';

/** What became of the file (a reconcile-file job's FileResult). */
export interface TotalsFileResult {
  file: string;
  status: 'reconciled' | 'skipped' | 'rejected';
  reason?: string;
  /** Lines read. */
  rows?: number;
}

/** A totals file has a line per (insutype, clr_type): a few dozen at most. More is not a totals file. */
const MAX_LINES = 10_000;

/**
 * Records an institution's 3201 totals file for one day (SPEC 11): whole-file checks as for a detail
 * file (institution, encoding, a first non-blank line of six tab-separated fields), then its lines,
 * parsed; the comparison with the ledger is the day finaliser's (answerTotals). The same content
 * again is recognised by its sha256 and skipped.
 */
export async function recordTotalsFile(pool: Pool, request: { inbox: string; fileName: string }, name: ReconFileName): Promise<TotalsFileResult> {
  const { inbox, fileName } = request;
  const file = path.join(inbox, fileName);
  if (!(await fileExists(file))) return { file: fileName, status: 'skipped', reason: 'no longer in the inbox (another run took it)' };
  const sha256 = await sha256OfFile(file);
  const archivedName = archivedFileName(name, sha256);
  if (await findTotalsVersion(pool, name, sha256)) {
    await archiveFile(inbox, fileName, archivedName);
    return { file: fileName, status: 'skipped', reason: 'same content already reconciled' };
  }
  const read = await readTotals(pool, file, name);
  if ('rejected' in read) {
    await rejectFile(inbox, fileName, read.rejected);
    logger.info({ file: fileName, reason: read.rejected }, 'totals file rejected');
    return { file: fileName, status: 'rejected', reason: read.rejected };
  }
  await insertTotalsFile(pool, { name, fileName, sha256, archivedName, encoding: read.encoding, lines: read.lines });
  await archiveFile(inbox, fileName, archivedName);
  logger.info({ file: fileName, lines: read.lines.length }, 'totals file recorded');
  return { file: fileName, status: 'reconciled', rows: read.lines.length };
}

async function readTotals(pool: Pool, file: string, name: ReconFileName): Promise<{ rejected: string } | { encoding: TextEncoding; lines: TotalsLine[] }> {
  if (!(await institutionExists(pool, name.fixmedinsCode))) return { rejected: `unknown institution ${name.fixmedinsCode}` };
  const encoding = await detectEncoding(file);
  if (!encoding) return { rejected: 'cannot be decoded as UTF-8 or GB18030' };
  const lines: TotalsLine[] = [];
  for await (const records of readTabSeparated(createReadStream(file), encoding)) {
    for (const record of records) {
      if (lines.length === 0 && (record.error !== undefined || record.fields.length !== TOTALS_FIELDS.length)) {
        const found = record.error ?? `${record.fields!.length} tab-separated fields`;
        return { rejected: `first line has ${found}, ${TOTALS_FIELDS.length} expected (${TOTALS_FIELDS.join(', ')})` };
      }
      if (lines.length === MAX_LINES) return { rejected: `more than ${MAX_LINES} lines: not a totals file` };
      lines.push(record.error !== undefined ? { line: record.row, insutype: null, clrType: null, problem: record.error } : parseTotalsLine(record.fields, record.row));
    }
  }
  if (lines.length === 0) return { rejected: `no line: a 3201 file lists totals, ${TOTALS_FIELDS.length} tab-separated fields each` };
  return { encoding, lines };
}

/**
 * Compares each institution's latest 3201 file of the day with the ledger as it is now, and writes
 * `{code}_{YYYYMMDD}.3201.result.txt` to the outbox. Returns the institutions whose totals balance and the files written.
 */
export async function answerTotals(pool: Pool, businessDate: string, outbox: string): Promise<{ balanced: Set<string>; written: string[] }> {
  const balanced = new Set<string>();
  const written: string[] = [];
  for (const totals of await latestTotalsOfDay(pool, businessDate)) {
    const result = compareTotals(totals.lines, await ledgerTotals(pool, businessDate, totals.fixmedinsCode));
    if (result.balanced) balanced.add(totals.fixmedinsCode);
    const target = path.join(outbox, `${totals.fixmedinsCode}_${compactDate(businessDate)}.3201.result.txt`);
    await writeAnswerFile(target, async (write) => write(result.answers.map(totalsAnswerLine).join('')));
    written.push(target);
  }
  return { balanced, written };
}
