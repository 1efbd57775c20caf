import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { killAll, spawnTracked } from './children.ts';

export { eventually, exited, killGroup, PATIENCE_MS, spawnTracked } from './children.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const main = path.join(root, 'src/cli/main.ts');

// Children started here are killed with their process group after the test file (and at exit).
afterAll(killAll);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as an operator would. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin!.end(input ?? '');
  });
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), as an operator at a terminal sees it:
 * stdout and stderr arrive merged, with the progress bar's control sequences. `onOutput` sees the
 * output so far (the process runs in its own group, so it can stop a long-running command).
 */
export function runCliOnTerminal(args: string[], env: Record<string, string>, onOutput?: (output: string, child: ChildProcess) => void): Promise<CliResult> {
  const command = ['stty cols 120 rows 40;', 'exec', quote(process.execPath), '--import', 'tsx', quote(main), ...args.map(quote)].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: onOutput !== undefined,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    if (onOutput) child.stdout.on('data', () => onOutput(stdout, child));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

/**
 * Runs the CLI with a reader that takes its output slowly, as `| gzip > file` over a slow disk
 * would: it pauses every few chunks, so the CLI must wait for its pipe to drain.
 */
export function runCliReadingSlowly(args: string[], env: Record<string, string>): Promise<CliResult & { bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      if (chunks.length % 8 !== 0) return;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(chunks);
      resolve({ code: code ?? -1, stdout: stdout.toString('utf8'), stderr, bytes: stdout.length });
    });
  });
}

/** Starts a long-running CLI process (worker, scheduler) and returns it; the caller stops it. */
export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawnTracked(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Like startCli, but keeps the process's log (stderr) for assertions about what it did. */
export function startCliLogged(args: string[], env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'inherit', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log };
}
