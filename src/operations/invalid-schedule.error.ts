/** A cron expression in the environment that node-cron cannot read: a startup error naming the variable. */
export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}
