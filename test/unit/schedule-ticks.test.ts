import { describe, expect, it } from 'vitest';
import { tickOf, ticksBetween } from '../../src/operations/schedules.ts';
import { jobCatalog } from '../../src/queue/catalog.ts';

const at = (shanghai: string) => new Date(`${shanghai.replace(' ', 'T')}+08:00`);
const ticks = (expression: string, after: string, until: string, limit = 10) =>
  ticksBetween(expression, at(after), at(until), limit).map(tickOf);

describe('schedule ticks', () => {
  it('reads cron expressions in Asia/Shanghai whatever the machine time zone', () => {
    expect(ticks('30 2 * * *', '2026-11-20 05:00:00', '2026-11-23 05:00:00')).toEqual([
      '2026-11-21 02:30:00', '2026-11-22 02:30:00', '2026-11-23 02:30:00',
    ]);
  });

  it('keeps only the latest ticks up to the limit, oldest first', () => {
    expect(ticks('30 3 * * *', '2026-11-01 00:00:00', '2026-11-23 05:00:00', 1)).toEqual(['2026-11-23 03:30:00']);
    expect(ticks('*/20 * * * * *', '2026-11-23 10:00:00', '2026-11-23 10:01:00', 2)).toEqual(['2026-11-23 10:00:40', '2026-11-23 10:01:00']);
  });

  it('excludes the lower bound and includes the upper one', () => {
    expect(ticks('30 2 * * *', '2026-11-23 02:30:00', '2026-11-24 02:30:00')).toEqual(['2026-11-24 02:30:00']);
  });

  it('honours day-of-week fields the way node-cron fires them', () => {
    // 2026-11-21 is a Saturday, 2026-11-23 a Monday.
    expect(ticks('0 30 2 * * mon-fri', '2026-11-20 03:00:00', '2026-11-24 03:00:00')).toEqual(['2026-11-23 02:30:00', '2026-11-24 02:30:00']);
  });

  it('builds one job id per schedule and tick', () => {
    expect(jobCatalog['schedule-tick'].jobId('recon', '2026-11-23 02:30:00')).toBe('tick-recon-20261123023000');
  });
});
