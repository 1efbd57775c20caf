import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { writeCsvExport } from '../csv/write-csv.ts';
import { COUNTS_COLUMNS, countsCells, EXPORT_COLUMNS, exportCells, type InstitutionCounts } from '../domain/reconciliation.ts';
import { compactDate } from '../domain/time.ts';
import { fileOutcomes, institutionsWithMissing, latestFilesOfDay, missingOutcomes } from './recon.repository.ts';

export function reportPaths(outbox: string, businessDate: string): { report: string; counts: string } {
  const day = compactDate(businessDate);
  return { report: path.join(outbox, `recon_${day}.csv`), counts: path.join(outbox, `recon_${day}_counts.csv`) };
}

/**
 * The day's non-MATCHED outcomes in export order: by institution (byte order), then the rows of its
 * latest file by row number, then its MISSING_IN_FILE settlements by setl_id. Pages come straight
 * from the indexes, so the export streams whatever its size.
 */
async function* exportBatches(pool: Pool, businessDate: string): AsyncGenerator<string[][]> {
  const latest = new Map((await latestFilesOfDay(pool, businessDate)).map((f) => [f.fixmedinsCode, f]));
  const codes = [...new Set([...latest.keys(), ...(await institutionsWithMissing(pool, businessDate))])].sort();
  for (const code of codes) {
    const file = latest.get(code);
    if (file) {
      for await (const page of fileOutcomes(pool, file.fileId)) yield page.map((o) => exportCells({ ...o, file: file.fileName }));
    }
    for await (const page of missingOutcomes(pool, businessDate, code)) {
      yield page.map((o) => exportCells({ ...o, file: file?.fileName ?? null }));
    }
  }
}

/** Writes `recon export` content (also the outbox report); returns the number of outcome lines. */
export async function writeReconExport(pool: Pool, businessDate: string, file: string): Promise<number> {
  return writeCsvExport(file, EXPORT_COLUMNS, exportBatches(pool, businessDate));
}

export async function writeCountsFile(file: string, businessDate: string, counts: readonly InstitutionCounts[]): Promise<void> {
  async function* rows() {
    yield counts.map((c) => countsCells(businessDate, c));
  }
  await writeCsvExport(file, COUNTS_COLUMNS, rows());
}
