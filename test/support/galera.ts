import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { eventually } from './children.ts';
import { giveToMysql, installDatadir, MariadbServer, probe, serverScratchDir } from './mariadb-server.ts';
import { sparePort } from './ports.ts';

const PROVIDER = '/usr/lib/galera/libgalera_smm.so';

export interface GaleraNode {
  name: string;
  port: number;
  server: MariadbServer;
  /** Server URL without a database, for TEST_DATABASE_SERVER_URL-style use. */
  url: string;
}

async function status(port: number): Promise<Record<string, string> | undefined> {
  const rows = await probe(port, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready', 'wsrep_cluster_status')");
  if (!rows) return undefined;
  return Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
}

/**
 * A MariaDB Galera cluster of the test's own, every node on loopback ports (client, group
 * communication, IST, SST), data directories in one scratch directory removed by `stop`. Failure
 * detection is tightened so a lost node is noticed in seconds.
 */
export class GaleraCluster {
  readonly nodes: GaleraNode[] = [];

  private constructor(private readonly scratch: { dir: string; cleanup(): void }) {}

  /** `started` receives the cluster before its nodes start, so a caller can stop it even if starting fails. */
  static async start(size = 3, started: (cluster: GaleraCluster) => void = () => undefined): Promise<GaleraCluster> {
    const cluster = new GaleraCluster(serverScratchDir('galera'));
    started(cluster);
    const ports = await Promise.all(Array.from({ length: size }, async () => ({
      client: await sparePort(), gcomm: await sparePort(), ist: await sparePort(), sst: await sparePort(),
    })));
    const peers = ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',');
    ports.forEach((p, i) => {
      const name = `node${i + 1}`;
      const datadir = path.join(cluster.scratch.dir, name);
      mkdirSync(datadir);
      const server = new MariadbServer(datadir, p.client, () => [
        '--binlog-format=ROW', '--default-storage-engine=InnoDB', '--innodb-autoinc-lock-mode=2',
        '--wsrep-on=ON', `--wsrep-provider=${PROVIDER}`, '--wsrep-cluster-name=premium-worker-ha', `--wsrep-node-name=${name}`,
        `--wsrep-node-address=127.0.0.1:${p.gcomm}`, `--wsrep-cluster-address=gcomm://${peers}`,
        '--wsrep-sst-method=rsync', `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=256M;`
          + 'evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT5S;evs.keepalive_period=PT1S',
      ]);
      cluster.nodes.push({ name, port: p.client, server, url: `mysql://root@127.0.0.1:${p.client}` });
    });
    // The first node bootstraps from a fresh data directory; the others join it by state transfer, one at a time.
    installDatadir(cluster.nodes[0]!.server.datadir);
    giveToMysql(cluster.scratch.dir);
    cluster.nodes[0]!.server.start(['--wsrep-new-cluster']);
    await cluster.waitSynced(cluster.nodes[0]!, 1);
    for (let i = 1; i < size; i++) {
      cluster.nodes[i]!.server.start();
      await cluster.waitSynced(cluster.nodes[i]!, i + 1);
    }
    return cluster;
  }

  /** A node that is up, synced with the cluster and part of a Primary Component of `size` nodes. */
  async waitSynced(node: GaleraNode, size = this.nodes.length, timeoutMs = 120_000): Promise<void> {
    await eventually(async () => {
      if (!node.server.running) throw new Error(`${node.name} exited; see ${node.server.errorLog}`);
      const s = await status(node.port);
      return s?.wsrep_local_state_comment === 'Synced' && s.wsrep_ready === 'ON' && s.wsrep_cluster_status === 'Primary' && Number(s.wsrep_cluster_size) === size;
    }, timeoutMs, `${node.name} synced in a cluster of ${size}`);
  }

  /** The node refuses application queries (cut off from the Primary Component). */
  async waitNonPrimary(node: GaleraNode, timeoutMs = 60_000): Promise<void> {
    await eventually(async () => (await status(node.port))?.wsrep_ready === 'OFF', timeoutMs, `${node.name} to leave the Primary Component`);
  }

  /**
   * Restarts a crashed node as an operator should: recover its last committed position with
   * --wsrep-recover, then start from it, so it catches up by IST from a peer's gcache instead of a
   * full state transfer. Returns the part of its log written since the restart.
   */
  async restartAfterCrash(node: GaleraNode): Promise<() => string> {
    const recovered = /Recovered position: ([0-9a-f-]+:-?\d+)/.exec(node.server.runOnce(['--wsrep-recover']));
    if (!recovered) throw new Error(`${node.name}: --wsrep-recover found no position`);
    const from = node.server.log().length;
    node.server.start([`--wsrep-start-position=${recovered[1]}`]);
    await this.waitSynced(node);
    return () => node.server.log().slice(from);
  }

  /** Cuts the node off from the cluster's group communication (it stays up and answers clients), or lets it back. */
  async isolate(node: GaleraNode, on: boolean): Promise<void> {
    const done = await probe(node.port, `SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
    if (!done) throw new Error(`${node.name}: could not set gmcast.isolate`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.server.kill()));
    this.scratch.cleanup();
  }
}
