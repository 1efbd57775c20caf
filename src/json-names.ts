/**
 * The names programs see: CLI `--json` and `/api` use the domain's snake_case (`psn_no`,
 * `failure_code`, `campaign_id`), as the files and the database do; the code inside is camelCase.
 * Only camelCase identifiers are renamed: keys that are data (codes such as `MATCHED`, institution
 * codes, `waiting-children`) are left as they are.
 */
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

export function snakeCaseKeys(value: unknown): unknown {
  return renameKeys(value, (key) => (CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key));
}

/** For request bodies: `campaign_id` reads as `campaignId` (camelCase keys are taken as they are). */
export function camelCaseKeys(value: unknown): unknown {
  return renameKeys(value, (key) => (SNAKE.test(key) ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key));
}

function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename));
  if (value === null || typeof value !== 'object' || value.constructor !== Object) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [rename(key), renameKeys(item, rename)]));
}
