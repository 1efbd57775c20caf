/** C0 controls (newline, ESC, ...), DEL and C1 controls: any of them can move the cursor, recolour or rewrite a terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from outside (file names, cells, arguments) made safe to print: every control character is
 * shown as an escape (`\n`, `\x1b`), so a hostile file name cannot forge lines or rewrite the screen.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The same for serialised JSON: JSON.stringify escapes C0 but leaves DEL and C1 raw. Those only
 * occur inside strings, where a \u escape means the same character.
 */
export function escapeJsonControl(json: string): string {
  // eslint-disable-next-line no-control-regex
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
