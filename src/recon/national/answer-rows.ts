import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { answerLine, type AnswerAmounts } from '../../domain/national-files.ts';
import type { ReconCode } from '../../domain/reconciliation.ts';
import { ARCHIVE_DIR } from '../inbox.ts';
import type { RowBatch } from '../engine/row-batch.ts';

/**
 * Where the answer lines of a 3202 file's own rows wait, beside its archived copy, for the day's
 * finaliser to add the settlements the file lacks (which only it knows) and write the answer file.
 */
export function answerRowsPath(inbox: string, archivedName: string): string {
  return path.join(inbox, ARCHIVE_DIR, `${archivedName}.answers`);
}

/**
 * Writes a 3202 file's answer lines in row order while its batches are judged, a couple at once and
 * finishing in any order: each batch's lines wait for those of the batches before it.
 */
export class AnswerRows {
  private readonly pending = new Map<number, readonly (string | Uint8Array)[]>();
  private next = 0;

  private constructor(
    private readonly stream: WriteStream,
    private readonly temporary: string,
    private readonly target: string,
  ) {}

  static async create(inbox: string, archivedName: string): Promise<AnswerRows> {
    const target = answerRowsPath(inbox, archivedName);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.tmp`;
    const stream = createWriteStream(temporary);
    await once(stream, 'open');
    return new AnswerRows(stream, temporary, target);
  }

  /** The lines of batch number `seq` (0, 1, ...), in parts. */
  async put(seq: number, lines: readonly (string | Uint8Array)[]): Promise<void> {
    this.pending.set(seq, lines);
    let full = false;
    for (let parts; (parts = this.pending.get(this.next)) !== undefined; this.next++) {
      this.pending.delete(this.next);
      for (const part of parts) full = !this.stream.write(part) || full;
    }
    if (full) await once(this.stream, 'drain');
  }

  /** Every batch is in: the lines take their place (a retried file's replace the earlier attempt's). */
  async finish(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(this.temporary, this.target);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}

/**
 * One batch's answer lines, in row order: each row's MATCHED line as read, rewritten for any other
 * code. Nearly every row is MATCHED, so only the rewritten lines are kept, and the batch's text is
 * its read lines as they came, with those put in their place.
 */
export class BatchAnswers {
  /** Rewritten lines, by row. */
  private readonly rewritten = new Map<number, string>();

  constructor(private readonly batch: RowBatch) {}

  /** Row i MATCHED; `ledger` given when the ledger's fund_pay_sumamt is unknown (then not the row's). */
  matched(i: number, ledger?: AnswerAmounts): void {
    if (ledger) this.rewritten.set(i, answerLine(this.batch.answer(i), 'MATCHED', ledger));
  }

  judged(i: number, code: ReconCode, ledger: AnswerAmounts | undefined): void {
    if (code !== 'MATCHED' || ledger?.fundPaySumamt === null) this.rewritten.set(i, answerLine(this.batch.answer(i), code, ledger));
  }

  /** The batch's lines, in parts to be written one after another. */
  parts(): (string | Uint8Array)[] {
    if (this.rewritten.size === 0) return [this.batch.answers(0, this.batch.size)];
    const parts: (string | Uint8Array)[] = [];
    let from = 0;
    for (const i of [...this.rewritten.keys()].sort((a, b) => a - b)) {
      parts.push(this.batch.answers(from, i), this.rewritten.get(i)!);
      from = i + 1;
    }
    parts.push(this.batch.answers(from, this.batch.size));
    return parts;
  }
}
