// Loaded with `node --import`: records every module URL the process resolves (ESM hooks run on
// their own thread) into the file named by MODULE_TRACE_FILE.
import { register } from 'node:module';

register(`data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.MODULE_TRACE_FILE, resolved.url + '\\n');
  return resolved;
}`)}`);
