/**
 * The layer rules of docs/architecture.md, checked in `npm run lint:layers` (part of `npm test`):
 *
 *   engine ← domain ← server | workers ← platform;   db is a leaf.
 *
 * Type-only imports count for the layer rules (a type from a higher layer is still a dependency on
 * it) but not for the cycle rule (they vanish at run time).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A run-time import cycle: one of its modules can be loaded before the others are initialised.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'engine-imports-nothing-of-ours',
      severity: 'error',
      comment: 'engine/ is a library: it imports only itself and packages.',
      from: { path: '^engine/' },
      to: { path: '^(domain|server|workers|platform|db|processes|ui|test|bench|scripts)/' },
    },
    {
      name: 'engine-through-its-face',
      severity: 'error',
      comment: 'Outside engine/, import the engine only through engine/index.ts or engine/testing.',
      from: { path: '^(domain|server|workers|platform|db|processes|ui|test|bench|scripts)/' },
      to: { path: '^engine/', pathNot: '^engine/(index\\.ts|testing/index\\.ts)$' },
    },
    {
      name: 'domain-below-server-workers-platform',
      severity: 'error',
      comment: 'domain/ holds rules shared by server and workers: it never imports them or the platform.',
      from: { path: '^domain/' },
      to: { path: '^(server|workers|platform|ui|test|bench|scripts)/' },
    },
    {
      name: 'server-and-workers-apart',
      severity: 'error',
      comment: 'server/ (HTTP) and workers/ (job handlers) sit side by side and never import each other.',
      from: { path: '^server/' },
      to: { path: '^(workers|platform|ui|test|bench|scripts)/' },
    },
    {
      name: 'workers-and-server-apart',
      severity: 'error',
      comment: 'server/ (HTTP) and workers/ (job handlers) sit side by side and never import each other.',
      from: { path: '^workers/' },
      to: { path: '^(server|platform|ui|test|bench|scripts)/' },
    },
    {
      name: 'db-is-a-leaf',
      severity: 'error',
      comment: 'db/ (knex, migrator, migrations) imports only itself and packages.',
      from: { path: '^db/' },
      to: { path: '^(engine|domain|server|workers|platform|processes|ui|test|bench|scripts)/' },
    },
    {
      name: 'migrations-are-frozen',
      severity: 'error',
      comment: 'Run-time code never imports a migration: a migration is a frozen record of a schema change.',
      from: { path: '^(engine|domain|server|workers|platform|processes|ui)/' },
      to: { path: '^db/migrations/' },
    },
    {
      name: 'migration-self-contained',
      severity: 'error',
      comment: 'A migration imports only packages: what it runs must never change after it shipped.',
      from: { path: '^db/migrations/2' },
      to: { path: '^(?!node_modules/)', pathNot: '^db/migrations/2' },
    },
    {
      name: 'processes-is-data',
      severity: 'error',
      comment: 'processes/ holds models, forms and data; its tools import only themselves.',
      from: { path: '^processes/' },
      to: { path: '^(engine|domain|server|workers|platform|db|ui)/' },
    },
    {
      name: 'nothing-imports-the-platform',
      severity: 'error',
      comment: 'platform/ is the composition root: only tests, benchmarks and scripts may start it.',
      from: { path: '^(engine|domain|server|workers|db|processes|ui)/' },
      to: { path: '^platform/' },
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
    exclude: { path: '(^|/)(node_modules|dist|data)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
