import cron from 'node-cron';
import { env, type Env } from '../config/env.ts';
import { toShanghai, type ShanghaiTime } from '../domain/time.ts';
import { InvalidScheduleError } from './invalid-schedule.error.ts';

/** Business time; said explicitly to node-cron so the machine's TZ never matters. */
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

export type ScheduleName = 'recon' | 'campaign';

export interface ScheduleDefinition {
  name: ScheduleName;
  /** The environment variable the expression comes from, for error messages. */
  variable: 'RECON_CRON' | 'CAMPAIGN_CRON';
  expression: string;
  /**
   * How many missed ticks a scheduler catches up after downtime. Each reconciliation tick covers a
   * different business day, so every missed one still matters; a campaign tick only charges what is
   * due now, so the latest one does everything the missed ones would have done.
   */
  catchUpLimit: number;
}

export function scheduleDefinitions(settings: Env = env()): ScheduleDefinition[] {
  const definitions: ScheduleDefinition[] = [
    { name: 'recon', variable: 'RECON_CRON', expression: settings.RECON_CRON, catchUpLimit: 7 },
    { name: 'campaign', variable: 'CAMPAIGN_CRON', expression: settings.CAMPAIGN_CRON, catchUpLimit: 1 },
  ];
  for (const d of definitions) {
    if (!cron.validate(d.expression)) throw new InvalidScheduleError(`${d.variable} is not a valid cron expression: '${d.expression}'`);
  }
  return definitions;
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
/** Upper bound on exact matches tried per search, so an odd expression cannot stall a scheduler. */
const MAX_PROBES = 20_000;

/**
 * The latest `limit` ticks of `expression` in (after, until], oldest first. Walks back minute by
 * minute, filtering on hour and minute (fixed +08:00, China has no DST) before asking node-cron's
 * own matcher, so the answer follows exactly the rules the live schedule fires by.
 */
export function ticksBetween(expression: string, after: Date, until: Date, limit: number): Date[] {
  const fields = cron.parse(expression);
  const task = cron.createTask(expression, () => undefined, { timezone: SCHEDULE_TIMEZONE });
  const seconds = [...fields.second].sort((a, b) => b - a);
  const found: Date[] = [];
  let probes = 0;
  try {
    for (let minute = Math.floor(until.getTime() / 60_000) * 60_000; minute + 60_000 > after.getTime(); minute -= 60_000) {
      const local = new Date(minute + SHANGHAI_OFFSET_MS);
      if (!fields.hour.includes(local.getUTCHours()) || !fields.minute.includes(local.getUTCMinutes())) continue;
      for (const second of seconds) {
        const at = minute + second * 1000;
        if (at > until.getTime() || at <= after.getTime()) continue;
        if (++probes > MAX_PROBES) return found.reverse();
        if (task.match(new Date(at))) {
          found.push(new Date(at));
          if (found.length >= limit) return found.reverse();
        }
      }
    }
    return found.reverse();
  } finally {
    void task.destroy();
  }
}

/** A cron slot as stored in schedule_runs: Shanghai wall clock, whole seconds. */
export function tickOf(date: Date): ShanghaiTime {
  return toShanghai(new Date(Math.floor(date.getTime() / 1000) * 1000));
}
