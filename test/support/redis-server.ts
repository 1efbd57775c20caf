import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { eventually, exited, spawnTracked } from './process.ts';
import { sparePort } from './ports.ts';

export { sparePort };

export interface PrivateRedis {
  url: string;
  /** Stops the server without saving and starts an empty one on the same port. */
  restartEmpty(): Promise<void>;
  /** Stops the server (SIGKILL), as a crashed or unreachable Redis. */
  stop(): Promise<void>;
}

/**
 * A redis-server of the test file's own, without persistence: faults such as FLUSHALL or a restart
 * must not touch the Redis other test files share.
 */
export async function usePrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await eventually(async () => {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 20_000, `redis-server on port ${port}`);
  };
  const stop = async () => {
    if (!server) return;
    server.kill('SIGKILL');
    await exited(server);
    server = undefined;
  };
  await start();
  afterAll(stop);
  return {
    url: `redis://127.0.0.1:${port}`,
    async restartEmpty() {
      await stop();
      await start();
    },
    stop,
  };
}
