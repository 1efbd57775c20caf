import pino from 'pino';
import { env } from './config/env.ts';

/**
 * Structured JSON logs on stderr, so stdout stays clean for `--json` output. Never log names or ID
 * numbers: log psn_no, order ids and counts.
 */
export const logger = pino(
  { level: env().LOG_LEVEL, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ fd: 2, sync: false }),
);
