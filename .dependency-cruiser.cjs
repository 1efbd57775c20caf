/**
 * The layer rules of the code, written once. Folders are listed lowest first; each may import only
 * folders listed before it (and itself), so imports point one way and no two folders import each
 * other: entry points (cli, admin, demo, jobs) -> services -> ledger, db, domain. Run by `npm test`.
 */
const LAYERS = [
  // Pure rules: no I/O, imports nothing but itself (see the rule below).
  ['domain', '^src/domain/'],
  // Infrastructure.
  ['config', '^src/config/'],
  ['terminal-text', '^src/terminal-text\\.ts$'],
  ['logger', '^src/logger\\.ts$'],
  ['json-names', '^src/json-names\\.ts$'],
  ['csv', '^src/csv/'],
  ['db', '^src/db/'],
  ['ledger', '^src/ledger/'],
  ['audit', '^src/audit/'],
  ['queue', '^src/queue/'],
  ['app', '^src/app\\.ts$'],
  // Services.
  ['imports', '^src/imports/'],
  ['recon', '^src/recon/'],
  ['campaign', '^src/campaign/'],
  ['handoff', '^src/handoff/'],
  ['operations', '^src/operations/'],
  ['statements', '^src/statements/'],
  // Entry points: the job layer (handlers, workers, step-job mechanics), then the commands.
  ['jobs', '^jobs/'],
  ['demo', '^src/demo/'],
  ['admin', '^src/admin/'],
  ['cli', '^src/cli/'],
];

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `${name}-imports-downwards`,
  comment: `${name} may import only ${LAYERS.slice(0, i).map(([n]) => n).join(', ') || 'itself'}`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => p) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'domain-is-pure',
      comment: 'the rules are plain functions over plain data: no database, queue, file or package',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'services-know-no-job-mechanics',
      comment: 'services take plain inputs and return results; waiting for children and delays belong to jobs/',
      severity: 'error',
      from: { path: '^src/(imports|recon|campaign|operations)/' },
      to: { path: 'node_modules/bullmq/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
