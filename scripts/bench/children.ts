import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths.ts';

/**
 * Runs a measured step in a child process (same Node flags as this one, so `--cpu-prof` reaches it
 * too) and returns the JSON object it prints last. Its stderr (logs) passes through.
 */
export function runChild<T>(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(ROOT, script), ...args], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${path.basename(script)} exited with code ${code}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${path.basename(script)} printed no result: ${last.slice(0, 200)}`));
      }
    });
  });
}
