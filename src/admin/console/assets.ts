import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import express from 'express';
import { CONSOLE_CSS } from './styles.ts';

/** client.ts from the sources, or client.js where the package runs compiled. */
function clientEntry(): string {
  for (const name of ['./client.ts', './client.js']) {
    const file = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('the console script (admin/console/client.ts) is missing from this installation');
}

let bundle: Promise<string> | undefined;

/** The console script with Chart.js, bundled once per process (a few hundred milliseconds). */
export function consoleScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [clientEntry()], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent',
    legalComments: 'none',
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

/** Public: the sign-in page needs the stylesheet, and neither file holds anything secret. */
export function assetsRouter(): express.Router {
  const router = express.Router();
  router.get('/console.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-cache').send(CONSOLE_CSS);
  });
  router.get('/console.js', async (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(await consoleScript());
  });
  return router;
}
