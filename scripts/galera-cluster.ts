// A 3-node MariaDB Galera cluster on free loopback ports, for running the whole suite against a
// Galera node: prints the nodes' URLs, runs until SIGINT/SIGTERM, then stops the nodes and removes
// their data. Needs galera-4 and rsync (scripts/ha-setup.sh installs them).
import { GaleraCluster } from '../test/support/galera.ts';

let cluster: GaleraCluster | undefined;
const stop = async () => {
  await cluster?.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cluster = await GaleraCluster.start(3, (c) => (cluster = c));
for (const node of cluster.nodes) console.log(`${node.name}: ${node.url}`);
console.log(`run the suite against a node: TEST_DATABASE_SERVER_URL=${cluster.nodes[0]!.url} npm test`);
