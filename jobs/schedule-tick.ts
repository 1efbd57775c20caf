import { handleScheduleTick } from '../src/operations/schedule.service.ts';
import type { JobHandler } from '../src/queue/workers.ts';

export const handleScheduleTickJob: JobHandler<'schedule-tick'> = (payload, { app, job, token }) => handleScheduleTick(app, payload, job, token);
