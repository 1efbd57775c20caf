import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { env, LOG_LEVELS, type Env } from './config/env.ts';
import { formatInstant } from './domain/time.ts';
import { escapeControl, escapeJsonControl } from './terminal-text.ts';

export type LogFormat = 'json' | 'pretty';

/** Where finished log lines go: stderr, unless a progress display holds the terminal (then it prints them above its bar). */
type LineOutput = (line: string) => void;

const toStderr: LineOutput = (line) => {
  process.stderr.write(line);
};

let output: LineOutput = toStderr;
let prettify: ((line: string) => string) | undefined;

/**
 * Logs on stderr, so stdout stays clean for `--json` output: JSON lines for processes whose logs a
 * collector reads, one readable line per entry for a person at a terminal. Times carry their zone
 * (Asia/Shanghai, like every time the product shows). Never log names or ID numbers: log psn_no,
 * order ids and counts.
 */
export const logger = pino(
  {
    level: initialLevel(),
    base: { pid: process.pid },
    timestamp: () => `,"time":"${formatInstant(new Date(), true)}"`,
  },
  // pino takes any object with write(): one JSON line per call, routed at the moment it is written.
  { write: (line: string) => output(prettify ? `${escapeControl(prettify(line).trimEnd())}\n` : escapeJsonControl(line)) },
);

/** The level before the command has read its settings: a bad LOG_LEVEL is reported by the command as one line. */
function initialLevel(): Env['LOG_LEVEL'] {
  const level = process.env.LOG_LEVEL as Env['LOG_LEVEL'] | undefined;
  return level && LOG_LEVELS.includes(level) ? level : 'info';
}

/** Applies LOG_LEVEL and LOG_FORMAT (or the command's default format) once the command is known. */
export function configureLogger(defaultFormat: LogFormat): void {
  const settings = env();
  logger.level = settings.LOG_LEVEL;
  const format = settings.LOG_FORMAT ?? defaultFormat;
  prettify = format === 'pretty'
    ? prettyFactory({ colorize: false, translateTime: false, ignore: 'pid,hostname', singleLine: true })
    : undefined;
}

/** Sends log lines to `target` until the returned function is called (a progress bar prints them above itself). */
export function redirectLogLines(target: LineOutput): () => void {
  output = target;
  return () => {
    output = toStderr;
  };
}
