import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { CONSOLE_CSS } from './styles.ts';

let bundle: Promise<string> | undefined;

/**
 * The console script with Chart.js: the compiled bin ships it beside itself as console.js
 * (`npm run build`); run from the sources, it is bundled once per process (a few hundred
 * milliseconds), so the bin never loads esbuild.
 */
export function consoleScript(): Promise<string> {
  bundle ??= readFile(new URL('./console.js', import.meta.url), 'utf8').catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./client.ts', import.meta.url))],
      bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent', legalComments: 'none',
    });
    return result.outputFiles[0]!.text;
  });
  bundle.catch(() => (bundle = undefined));
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
