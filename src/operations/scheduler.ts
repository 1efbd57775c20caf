import cron from 'node-cron';
import type { App } from '../app.ts';
import { logger } from '../logger.ts';
import { catchUp, enqueueTick } from './schedule.service.ts';
import { SCHEDULE_TIMEZONE, scheduleDefinitions, tickOf, type ScheduleDefinition } from './schedules.ts';

export interface RunningScheduler {
  definitions: ScheduleDefinition[];
  /** Stops firing and waits for the enqueues under way. */
  stop(): Promise<void>;
}

/**
 * The node-cron side of the scheduler: each tick only claims its row and enqueues its job; workers
 * do the work. Catches up missed ticks once at start (the sweeper keeps doing so periodically).
 */
export async function startScheduler(app: App): Promise<RunningScheduler> {
  const definitions = scheduleDefinitions();
  const underway = new Set<Promise<unknown>>();
  const fire = (definition: ScheduleDefinition, slot: Date, firedBy: 'cron' | 'catch-up') => {
    const tick = tickOf(slot);
    const enqueue = enqueueTick(app, definition.name, tick, firedBy).catch((error: Error) => {
      logger.error({ schedule: definition.name, tick, err: error.message }, 'could not enqueue tick; the next catch-up tries again');
    });
    underway.add(enqueue);
    void enqueue.finally(() => underway.delete(enqueue));
  };

  const tasks = definitions.map((definition) => {
    const task = cron.schedule(definition.expression, (context) => fire(definition, context.date, 'cron'), {
      timezone: SCHEDULE_TIMEZONE,
      name: `premium-worker-${definition.name}`,
    });
    // node-cron skips slots it woke up too late for (blocked event loop, suspended VM); they are
    // still ticks of the schedule.
    task.on('execution:missed', (context) => fire(definition, context.date, 'catch-up'));
    return task;
  });

  const caughtUp = await catchUp(app, definitions).catch((error: Error) => {
    logger.error({ err: error.message }, 'catch-up at start failed; the sweeper tries again');
    return 0;
  });
  logger.info({
    caughtUp,
    schedules: definitions.map((d, i) => ({ name: d.name, cron: d.expression, timezone: SCHEDULE_TIMEZONE, next: tasks[i]!.getNextRun()?.toISOString() })),
  }, 'scheduler started');

  return {
    definitions,
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.allSettled([...underway]);
    },
  };
}
