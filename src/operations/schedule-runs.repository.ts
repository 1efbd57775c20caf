import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ShanghaiTime } from '../domain/time.ts';
import type { ScheduleName } from './schedules.ts';

export interface ScheduleRunRow {
  id: number;
  schedule: ScheduleName;
  tick: ShanghaiTime;
  firedBy: 'cron' | 'catch-up';
  jobId: string;
  createdAt: string;
  finishedAt: string | null;
  summary: unknown;
}

function toRow(r: RowDataPacket): ScheduleRunRow {
  return {
    id: r.id, schedule: r.schedule, tick: r.tick, firedBy: r.fired_by, jobId: r.job_id, createdAt: r.created_at, finishedAt: r.finished_at,
    summary: r.summary ? JSON.parse(r.summary as string) : null,
  };
}

/**
 * Claims a tick: returns the new row's id, or null when another scheduler (or an earlier catch-up)
 * already has it. The UNIQUE (schedule, tick) key decides, so this holds across processes and hosts.
 */
export async function claimTick(pool: Pool, claim: { schedule: ScheduleName; tick: ShanghaiTime; firedBy: 'cron' | 'catch-up'; jobId: string }): Promise<number | null> {
  try {
    const [result] = await pool.query<ResultSetHeader>(
      'INSERT INTO schedule_runs (schedule, tick, fired_by, job_id) VALUES (?, ?, ?, ?)',
      [claim.schedule, claim.tick, claim.firedBy, claim.jobId],
    );
    return result.insertId;
  } catch (error) {
    // Not ON DUPLICATE KEY UPDATE: mysql2 connects with FOUND_ROWS, so a no-op duplicate also reports
    // one affected row and the loser could not tell it lost. Not INSERT IGNORE: it hides real errors.
    if ((error as { errno?: number }).errno === 1062) return null;
    throw error;
  }
}

/** Ticks of a schedule already claimed, from `fromTick` on. */
export async function ticksOfSchedule(pool: Pool, schedule: ScheduleName, fromTick: ShanghaiTime): Promise<ShanghaiTime[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT tick FROM schedule_runs WHERE schedule = ? AND tick >= ?', [schedule, fromTick]);
  return rows.map((r) => r.tick as string);
}

export async function finishScheduleRun(pool: Pool, id: number, summary: unknown): Promise<void> {
  await pool.query('UPDATE schedule_runs SET finished_at = CURRENT_TIMESTAMP, summary = ? WHERE id = ? AND finished_at IS NULL', [JSON.stringify(summary), id]);
}

export async function listUnfinishedScheduleRuns(pool: Pool, minAgeSeconds = 0): Promise<ScheduleRunRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT * FROM schedule_runs WHERE finished_at IS NULL AND created_at <= NOW() - INTERVAL ? SECOND ORDER BY id',
    [minAgeSeconds],
  );
  return rows.map(toRow);
}

export async function recentScheduleRuns(pool: Pool, limit = 10): Promise<ScheduleRunRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM schedule_runs ORDER BY tick DESC, id DESC LIMIT ?', [limit]);
  return rows.map(toRow);
}

export async function openCampaignIds(pool: Pool, date: string): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id FROM campaigns WHERE window_start <= ? AND window_end >= ? ORDER BY id', [date, date]);
  return rows.map((r) => r.id as number);
}
