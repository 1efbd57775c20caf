import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './paths.ts';

const BIN = path.join(ROOT, '.bench/bin');
const bundles = new Map<string, Promise<string>>();

/**
 * A measured child's script as plain JavaScript, bundled like the product's bin (with the reading
 * thread's code beside it): run through the TypeScript loader it would carry the loader's tens of
 * megabytes and its compile time in what is measured, which an operator's installed bin does not.
 */
function bundled(script: string): Promise<string> {
  let bundle = bundles.get(script);
  if (!bundle) {
    const outfile = path.join(BIN, `${path.basename(script, '.ts')}.mjs`);
    const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' } as const;
    bundle = Promise.all([
      build({ ...common, entryPoints: [path.join(ROOT, script)], format: 'esm', outfile }),
      build({ ...common, entryPoints: [path.join(ROOT, 'src/recon/engine/parse-thread.ts')], format: 'cjs', outfile: path.join(BIN, 'parse-thread.cjs') }),
    ]).then(() => outfile);
    bundles.set(script, bundle);
  }
  return bundle;
}

/**
 * The flags the product's bin gives Node on its first line (package.json's build), so that a child
 * runs as an operator's installed bin does, and this process's own (`--cpu-prof` and the like)
 * without the TypeScript loader.
 */
async function nodeFlags(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } };
  const bin = /#!\/usr\/bin\/env -S node ([^']*)'/.exec(scripts.build)?.[1]?.split(' ') ?? [];
  const flags: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i]!;
    if (flag === '--import' && process.execArgv[i + 1] === 'tsx') i++;
    else if (flag !== '--import=tsx') flags.push(flag);
  }
  return [...bin, ...flags];
}

/**
 * Runs a measured step in a child process (bundled, with this process's Node flags, so `--cpu-prof`
 * reaches it too) and returns the JSON object it prints last. Its stderr (logs) passes through.
 */
export async function runChild<T>(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const file = await bundled(script);
  const flags = await nodeFlags();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, file, ...args], {
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
