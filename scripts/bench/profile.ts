import { readdir, readFile } from 'node:fs/promises';
import type { Pool } from 'mysql2/promise';
import { innodbCounters, type InnodbCounters } from './machine.ts';

/**
 * Where a step's wall-clock time went: CPU of this process (with its in-process workers), of the
 * child processes it waited for (recon, csv-parse), of the database server when it runs on this
 * machine, and InnoDB's page traffic. What none of them covers is waiting: for the disk, a commit's
 * fsync, a lock, or the other core.
 */
export interface StepProfile {
  seconds: number;
  bench_cpu_s: number;
  children_cpu_s: number;
  /** Null when the server is not a process of this machine that can be read. */
  server_cpu_s: number | null;
  page_reads: number;
  pages_flushed: number;
  waits_for_free_page: number;
}

interface Sample {
  at: number;
  self: number;
  children: number;
  server: number | null;
  innodb: InnodbCounters;
}

const TICKS_PER_S = 100;

/** utime+stime and cutime+cstime of /proc/PID/stat, in seconds; null when unreadable. */
async function cpuOf(pid: number | 'self'): Promise<{ own: number; children: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from 3 (state).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: (f[11]! + f[12]!) / TICKS_PER_S, children: (f[13]! + f[14]!) / TICKS_PER_S };
  } catch {
    return null;
  }
}

/** The pid of a local mariadbd or mysqld, or null. */
export async function findServerPid(): Promise<number | null> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (/^(mariadbd|mysqld)\s*$/.test(comm)) return Number(entry);
  }
  return null;
}

async function sample(pool: Pool, serverPid: number | null): Promise<Sample> {
  const [self, server, innodb] = await Promise.all([cpuOf('self'), serverPid === null ? null : cpuOf(serverPid), innodbCounters(pool)]);
  return { at: performance.now(), self: self?.own ?? 0, children: self?.children ?? 0, server: server?.own ?? null, innodb };
}

/** Starts profiling a step; the returned function ends it. */
export async function startProfile(pool: Pool, serverPid: number | null): Promise<() => Promise<StepProfile>> {
  const before = await sample(pool, serverPid);
  return async () => {
    const after = await sample(pool, serverPid);
    const r = (n: number) => Math.round(n * 10) / 10;
    return {
      seconds: r((after.at - before.at) / 1000),
      bench_cpu_s: r(after.self - before.self),
      children_cpu_s: r(after.children - before.children),
      server_cpu_s: after.server === null || before.server === null ? null : r(after.server - before.server),
      page_reads: after.innodb.reads - before.innodb.reads,
      pages_flushed: after.innodb.flushed - before.innodb.flushed,
      waits_for_free_page: after.innodb.waitFree - before.innodb.waitFree,
    };
  };
}

/** Whether the database is this machine's (its server process then counts as part of the profile). */
export function isLoopback(databaseUrl: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(databaseUrl).hostname);
}
