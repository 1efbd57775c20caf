import cliProgress from 'cli-progress';

export interface ProgressCount {
  done: number;
  total: number;
}

/**
 * Shows how far `work` has got while it runs: a bar on a terminal, a line every few seconds
 * otherwise (logs, cron mail). Progress goes to stderr so stdout stays parseable.
 */
export async function withProgress<T>(label: string, poll: () => Promise<ProgressCount>, work: Promise<T>, quiet = false): Promise<T> {
  if (quiet) return work;
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  let lastLine = 0;
  const tick = async (final = false) => {
    const { done, total } = await poll().catch(() => ({ done: -1, total: -1 }));
    if (done < 0) return;
    if (bar) {
      if (started) bar.setTotal(total);
      else bar.start(total, done);
      started = true;
      bar.update(done);
    } else if (final || Date.now() - lastLine >= 5000) {
      lastLine = Date.now();
      process.stderr.write(`${label}: ${done}/${total}\n`);
    }
  };
  const timer = setInterval(() => void tick(), bar ? 250 : 1000);
  try {
    const result = await work;
    clearInterval(timer);
    await tick(true);
    return result;
  } finally {
    clearInterval(timer);
    if (started) bar?.stop();
  }
}
