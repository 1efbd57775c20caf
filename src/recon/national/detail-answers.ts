import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { lackingAnswerLine } from '../../domain/national-files.ts';
import { compactDate } from '../../domain/time.ts';
import { logger } from '../../logger.ts';
import { fileExists } from '../inbox.ts';
import { latestFilesOfDay } from '../recon.repository.ts';
import { writeAnswerFile } from './answer-file.ts';
import { answerRowsPath } from './answer-rows.ts';
import { lackingSettlements } from './national.repository.ts';

/**
 * For each institution whose latest detail file of the day is a 3202 file, writes
 * `{code}_{YYYYMMDD}.3202.result.txt` (SPEC 11): the answer lines of the file's rows in order, as
 * recorded when it was reconciled, then one line per settlement it lacks (this run's
 * MISSING_IN_FILE) by setl_id. Returns the files written.
 */
export async function answerDetailFiles(pool: Pool, businessDate: string, inbox: string, outbox: string): Promise<string[]> {
  const written: string[] = [];
  for (const file of await latestFilesOfDay(pool, businessDate)) {
    const target = path.join(outbox, `${file.fixmedinsCode}_${compactDate(businessDate)}.3202.result.txt`);
    if (file.format === 'csv') {
      // A CSV file replaced the institution's 3202 file: that answer no longer stands.
      await rm(target, { force: true });
      continue;
    }
    const rows = answerRowsPath(inbox, file.archivedName);
    if (!(await fileExists(rows))) {
      // Reconciled from another inbox: its rows' answers are there.
      logger.error({ file: file.fileName, rows }, 'answer lines of a 3202 file not found: its answer file is not written');
      continue;
    }
    await writeAnswerFile(target, async (write) => {
      for await (const page of lackingSettlements(pool, businessDate, file.fixmedinsCode)) await write(page.map(lackingAnswerLine).join(''));
    }, rows);
    written.push(target);
  }
  return written;
}
