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
  private readonly pending = new Map<number, string>();
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

  /** The lines of batch number `seq` (0, 1, ...). */
  async put(seq: number, lines: string): Promise<void> {
    this.pending.set(seq, lines);
    let full = false;
    for (let text; (text = this.pending.get(this.next)) !== undefined; this.next++) {
      this.pending.delete(this.next);
      full = !this.stream.write(text) || full;
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

/** One batch's answer lines, in row order: each row's MATCHED line as read, rewritten for any other code. */
export class BatchAnswers {
  private readonly lines: string[];

  constructor(private readonly batch: RowBatch) {
    this.lines = new Array<string>(batch.size);
  }

  /** Row i MATCHED; `ledger` given when the ledger's fund_pay_sumamt is unknown (then not the row's). */
  matched(i: number, ledger?: AnswerAmounts): void {
    this.lines[i] = ledger ? answerLine(this.batch.answer(i), 'MATCHED', ledger) : this.batch.answer(i);
  }

  judged(i: number, code: ReconCode, ledger: AnswerAmounts | undefined): void {
    this.lines[i] = code === 'MATCHED' && ledger?.fundPaySumamt !== null ? this.batch.answer(i) : answerLine(this.batch.answer(i), code, ledger);
  }

  text(): string {
    return this.lines.join('');
  }
}
