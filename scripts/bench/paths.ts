import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children (worker processes, measured steps) run from it whatever the caller's cwd. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
