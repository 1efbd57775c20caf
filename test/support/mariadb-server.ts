import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { eventually, exited, spawnTracked } from './children.ts';

/** A scratch directory the server's own user (mysql) may write, removed by `cleanup`. */
export function serverScratchDir(label: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pw-${label}-`));
  giveToMysql(dir);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Gives a directory to the mysql user: mariadbd and its SST scripts run as that user. */
export function giveToMysql(dir: string): void {
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
}

/** An empty data directory with the system tables, root without password. */
export function installDatadir(datadir: string): void {
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'ignore' });
}

/** One row of SHOW STATUS / a variable, or undefined when the server does not answer. */
export async function probe(port: number, sql: string): Promise<Record<string, unknown>[] | undefined> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
    const [rows] = await conn.query(sql);
    return rows as Record<string, unknown>[];
  } catch {
    return undefined;
  } finally {
    conn?.destroy();
  }
}

/**
 * A mariadbd of the test's own on a loopback port: never the machine's shared server. Killed with
 * SIGKILL (a crash) or restarted on the same data directory.
 */
export class MariadbServer {
  private process: ChildProcess | undefined;

  constructor(readonly datadir: string, readonly port: number, private readonly extraArgs: () => string[] = () => []) {}

  get errorLog(): string {
    return path.join(this.datadir, 'error.log');
  }

  /** What the server has written to its error log so far (SST scripts write there too). */
  log(): string {
    try {
      return readFileSync(this.errorLog, 'utf8');
    } catch {
      return '';
    }
  }

  args(): string[] {
    return [
      '--no-defaults', `--datadir=${this.datadir}`, '--user=mysql', '--bind-address=127.0.0.1', `--port=${this.port}`,
      `--socket=${path.join(this.datadir, 'mysqld.sock')}`, `--pid-file=${path.join(this.datadir, 'mysqld.pid')}`,
      `--log-error=${this.errorLog}`, '--skip-name-resolve', '--performance-schema=OFF',
      '--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M', '--innodb-flush-log-at-trx-commit=2', '--max-connections=300',
      ...this.extraArgs(),
    ];
  }

  start(more: string[] = []): void {
    this.process = spawnTracked('mariadbd', [...this.args(), ...more], { stdio: 'ignore' });
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await eventually(async () => {
      if (!this.running) throw new Error(`mariadbd on port ${this.port} exited; see ${this.errorLog}`);
      return (await probe(this.port, 'SELECT 1')) !== undefined;
    }, timeoutMs, `mariadbd on port ${this.port}`);
  }

  /** A crash: no shutdown, no flush. */
  async kill(): Promise<void> {
    if (!this.process) return;
    this.process.kill('SIGKILL');
    await exited(this.process);
    this.process = undefined;
  }

  /** Runs the server once with `extra` (such as --wsrep-recover) to its end, and returns what it logged. */
  runOnce(extra: string[]): string {
    const log = path.join(this.datadir, 'once.log');
    execFileSync('mariadbd', [...this.args(), `--log-error=${log}`, ...extra], { stdio: 'ignore' });
    return readFileSync(log, 'utf8');
  }
}
