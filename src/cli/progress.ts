import cliProgress from 'cli-progress';
import { redirectLogLines } from '../logger.ts';

export interface ProgressCount {
  done: number;
  /** Unknown while a streamed file is still being read. */
  total?: number;
}

export interface ProgressDisplay {
  update(count: ProgressCount): void;
  /** Draws the final state and gives the terminal back; nothing is drawn after it returns. */
  stop(): void;
}

/**
 * How far work has got, on stderr so stdout stays parseable: a bar on a terminal (log lines are
 * printed above it, never through it), otherwise a line every `lineEveryMs` (logs, cron mail).
 */
export function progressDisplay(label: string, lineEveryMs = 5000): ProgressDisplay {
  if (process.stderr.isTTY) return terminalBar(label);
  // Quick work prints nothing; longer work a line now and then, and its final count.
  let last = Date.now();
  let shown = false;
  let latest: ProgressCount | undefined;
  const line = ({ done, total }: ProgressCount) => process.stderr.write(`${label}: ${done}${total === undefined ? '' : `/${total}`}\n`);
  return {
    update(count) {
      latest = count;
      if (Date.now() - last < lineEveryMs) return;
      last = Date.now();
      shown = true;
      line(count);
    },
    stop() {
      if (latest && shown) line(latest);
    },
  };
}

function terminalBar(label: string): ProgressDisplay {
  const started = Date.now();
  const bars = new cliProgress.MultiBar({
    stream: process.stderr,
    format: '{label} {progress}',
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  let bar: cliProgress.SingleBar | undefined;
  // MultiBar.log() prints buffered lines above the bar at its next redraw.
  const restoreLogs = redirectLogLines((line) => bars.log(line.endsWith('\n') ? line : `${line}\n`));
  let stopped = false;
  const progressText = ({ done, total }: ProgressCount) => {
    if (total === undefined) return `${done} read (${Math.round(done / Math.max((Date.now() - started) / 1000, 0.001))}/s)`;
    const width = 30;
    const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : width;
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${total > 0 ? Math.floor((100 * done) / total) : 100}%`;
  };
  return {
    update(count) {
      if (stopped) return;
      const progress = progressText(count);
      if (bar) bar.update(count.done, { label, progress });
      else bar = bars.create(count.total ?? 0, count.done, { label, progress });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.update(); // flushes log lines still buffered
      bars.stop();
      restoreLogs();
    },
  };
}

/**
 * Shows the progress of `work` while it runs, polling `poll`; returns once the final state is drawn
 * and the display has stopped, so whatever is printed next (a table) is never drawn over.
 */
export async function withProgress<T>(label: string, poll: () => Promise<ProgressCount>, work: Promise<T>, quiet = false): Promise<T> {
  if (quiet) return work;
  const display = progressDisplay(label);
  let polling: Promise<void> = Promise.resolve();
  const tick = () => {
    polling = polling.then(async () => {
      const count = await poll().catch(() => undefined);
      if (count) display.update(count);
    });
    return polling;
  };
  const timer = setInterval(() => void tick(), process.stderr.isTTY ? 250 : 1000);
  try {
    const result = await work;
    clearInterval(timer);
    await tick();
    return result;
  } finally {
    clearInterval(timer);
    await polling;
    display.stop();
  }
}
