import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  database: string;
  /** Read only: the bench reports durability settings, it never changes them. */
  innodbFlushLogAtTrxCommit: number;
  innodbBufferPoolMb: number;
  redis: string;
  /** Measured at the start of the run: see commitLatencyMs. */
  commitLatencyMs: number;
}

export async function machineInfo(pool: Pool, redisInfo: () => Promise<string>): Promise<MachineInfo> {
  const [[version]] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS v');
  const [[settings]] = await pool.query<RowDataPacket[]>(
    'SELECT @@innodb_flush_log_at_trx_commit AS flush, @@innodb_buffer_pool_size AS pool',
  );
  const redisVersion = /redis_version:(\S+)/.exec(await redisInfo())?.[1] ?? 'unknown';
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    database: String(version!.v),
    innodbFlushLogAtTrxCommit: Number(settings!.flush),
    innodbBufferPoolMb: Math.round(Number(settings!.pool) / 2 ** 20),
    redis: redisVersion,
    commitLatencyMs: await commitLatencyMs(pool),
  };
}

/** 1-minute load average, one decimal: other engineers' tests share the machine, so each figure carries it. */
export const load1 = (): number => Math.round(os.loadavg()[0]! * 10) / 10;

export const loadAverages = (): [number, number, number] => os.loadavg().map((l) => Math.round(l * 100) / 100) as [number, number, number];

/**
 * Milliseconds per committed one-row transaction (innodb_flush_log_at_trx_commit=1: one redo-log
 * fsync each). It bounds anything that commits per row, such as the naive baseline, and varies a
 * lot between machines of the same kind, so the bench measures it instead of assuming it.
 */
export async function commitLatencyMs(pool: Pool, commits = 200): Promise<number> {
  const conn = await pool.getConnection();
  try {
    await conn.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)');
    const started = performance.now();
    for (let i = 0; i < commits; i++) await conn.query('INSERT INTO bench_commit_probe (v) VALUES (?)', [i]);
    return Math.round(((performance.now() - started) / commits) * 100) / 100;
  } finally {
    await conn.query('DROP TABLE IF EXISTS bench_commit_probe');
    conn.release();
  }
}

export interface CodeVersion {
  commit: string;
  /** Files of src/ and jobs/ that differ from the commit: figures measured on a work tree in flux say so. */
  uncommitted: string[];
}

export function codeVersion(root: string): CodeVersion {
  try {
    // Not trim(): porcelain lines start with a space when only the work tree differs.
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trimEnd();
    const uncommitted = git('status', '--porcelain', '--', 'src', 'jobs').split('\n').filter(Boolean).map((l) => l.slice(3));
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

/**
 * Waits (at most `maxSeconds`) until InnoDB has flushed most dirty pages and purged old row
 * versions. A step started right after a heavy one otherwise pays for its predecessor's background
 * flushing: the raw INSERT ceiling, measured after three campaigns, came out at a third of its
 * rested rate. Returns the seconds waited.
 */
export async function quiesce(pool: Pool, maxSeconds = 30): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT variable_name AS name, variable_value AS value FROM information_schema.global_status
        WHERE variable_name IN ('INNODB_BUFFER_POOL_PAGES_DIRTY', 'INNODB_BUFFER_POOL_PAGES_TOTAL', 'INNODB_HISTORY_LIST_LENGTH')`,
    );
    const status = Object.fromEntries(rows.map((r) => [String(r.name).toUpperCase(), Number(r.value)]));
    const seconds = (performance.now() - started) / 1000;
    const rested = status.INNODB_BUFFER_POOL_PAGES_DIRTY! < 0.1 * status.INNODB_BUFFER_POOL_PAGES_TOTAL! && status.INNODB_HISTORY_LIST_LENGTH! < 10_000;
    if (rested || seconds >= maxSeconds) return seconds;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface InnodbCounters {
  /** Pages read from disk into the buffer pool. */
  reads: number;
  /** Pages written out of the buffer pool. */
  flushed: number;
  /** Times a read had to wait for a page to be freed (flushed) first. */
  waitFree: number;
}

/** InnoDB's global counters, read before and after a measured step to tell what its time went to. */
export async function innodbCounters(pool: Pool): Promise<InnodbCounters> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT variable_name AS name, variable_value AS value FROM information_schema.global_status
      WHERE variable_name IN ('INNODB_BUFFER_POOL_READS', 'INNODB_BUFFER_POOL_PAGES_FLUSHED', 'INNODB_BUFFER_POOL_WAIT_FREE')`,
  );
  const status = Object.fromEntries(rows.map((r) => [String(r.name).toUpperCase(), Number(r.value)]));
  return { reads: status.INNODB_BUFFER_POOL_READS ?? 0, flushed: status.INNODB_BUFFER_POOL_PAGES_FLUSHED ?? 0, waitFree: status.INNODB_BUFFER_POOL_WAIT_FREE ?? 0 };
}
