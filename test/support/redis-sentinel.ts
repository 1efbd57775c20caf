import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { eventually, exited, spawnTracked } from './process.ts';
import { serverScratchDir } from './mariadb-server.ts';
import { sparePort } from './ports.ts';

export const MASTER_NAME = 'premium-worker';

async function answer(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(...command);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/**
 * Redis of the test's own with high availability: a primary, one replica and three Sentinels on
 * loopback ports, without persistence; the Sentinels fail over one second after the primary stops
 * answering. Everything is stopped after the test file.
 */
export class SentinelRedis {
  private readonly servers = new Map<number, ChildProcess>();
  readonly sentinelPorts: number[] = [];
  dataPorts: number[] = [];

  private constructor(private readonly scratch: { dir: string; cleanup(): void }) {}

  static async start(): Promise<SentinelRedis> {
    const ha = new SentinelRedis(serverScratchDir('sentinel'));
    afterAll(() => ha.stop());
    ha.dataPorts = [await sparePort(), await sparePort()];
    const [primary, replica] = ha.dataPorts as [number, number];
    ha.startData(primary, []);
    ha.startData(replica, ['--replicaof', '127.0.0.1', String(primary)]);
    await eventually(async () => String(await answer(replica, 'INFO', 'replication')).includes('master_link_status:up'), 30_000, 'the replica to sync');
    for (let i = 0; i < 3; i++) {
      const port = await sparePort();
      const config = path.join(ha.scratch.dir, `sentinel-${port}.conf`);
      writeFileSync(config, [
        `port ${port}`, 'bind 127.0.0.1', `dir ${ha.scratch.dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 10000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
      ].join('\n') + '\n');
      ha.servers.set(port, spawnTracked('redis-server', [config, '--sentinel'], { stdio: 'ignore' }));
      ha.sentinelPorts.push(port);
    }
    // Each Sentinel must know the replica and the other Sentinels before it can elect and promote.
    await eventually(async () => {
      for (const port of ha.sentinelPorts) {
        const info = String(await answer(port, 'INFO', 'sentinel'));
        if (!info.includes('slaves=1,sentinels=3')) return false;
      }
      return true;
    }, 30_000, 'the Sentinels to see the replica and each other');
    return ha;
  }

  /** REDIS_SENTINELS for the product. */
  get sentinels(): string {
    return this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  private startData(port: number, more: string[]): void {
    this.servers.set(port, spawnTracked('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      '--dir', this.scratch.dir, '--dbfilename', `dump-${port}.rdb`, ...more,
    ], { stdio: 'ignore' }));
  }

  /** The port the Sentinels currently name as primary. */
  async primaryPort(): Promise<number> {
    const reply = (await answer(this.sentinelPorts[0]!, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string];
    return Number(reply[1]);
  }

  /** Kills the primary (SIGKILL) and waits until the Sentinels have promoted the replica. */
  async killPrimary(): Promise<{ old: number; promoted: number }> {
    const old = await this.primaryPort();
    const server = this.servers.get(old)!;
    server.kill('SIGKILL');
    await exited(server);
    this.servers.delete(old);
    const promoted = await eventually(async () => {
      const port = await this.primaryPort();
      return port !== old && String(await answer(port, 'INFO', 'replication')).includes('role:master') ? port : 0;
    }, 60_000, 'the Sentinels to promote the replica');
    return { old, promoted };
  }

  /**
   * Brings the old primary back; the Sentinels turn it into a replica of the new one. Started again
   * should it exit at once: a client's outgoing connection may hold the freed port for a moment.
   */
  async restartAsReplica(port: number): Promise<void> {
    const primary = String(await this.primaryPort());
    await eventually(async () => {
      const server = this.servers.get(port);
      if (!server || server.exitCode !== null || server.signalCode !== null) this.startData(port, ['--replicaof', '127.0.0.1', primary]);
      return String(await answer(port, 'INFO', 'replication')).includes('master_link_status:up');
    }, 60_000, 'the old primary to follow the new one');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map(async (s) => {
      s.kill('SIGKILL');
      await exited(s);
    }));
    this.servers.clear();
    this.scratch.cleanup();
  }
}
