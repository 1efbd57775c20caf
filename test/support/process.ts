import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { killAll, spawnTracked } from './children.ts';

export { eventually, exited, killGroup, spawnTracked } from './children.ts';

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
