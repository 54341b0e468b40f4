// jest runs TypeScript and the ESM-only bpmn.io / feelin packages through @swc/jest as CommonJS
// (see ../shared/PITFALLS.md). The ignore pattern anchors on the LAST node_modules segment so nested
// copies of ESM packages are transformed too.
const ESM_PKGS = [
  'feelin',
  'lezer-feel',
  '@lezer',
  'bpmn-moddle',
  'dmn-moddle',
  'zeebe-bpmn-moddle',
  'moddle',
  'moddle-xml',
  'min-dash',
  'min-dom',
  'saxen',
  'temporal-polyfill',
  'temporal-utils',
  'ids',
  'bpmnlint',
  'bpmnlint-utils',
  'bpmnlint-plugin-camunda-compat',
  '@bpmn-io',
  '@camunda/linting',
  'modeler-moddle',
  '@camunda/camunda-api-zod-schemas',
  // PGlite's CommonJS build loads node built-ins with import(), which jest's CommonJS VM rejects.
  '@electric-sql/pglite',
];

const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: { parser: { syntax, tsx: false }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.[cm]?js$': swc('ecmascript'),
  },
  transformIgnorePatterns: [`/node_modules/(?!.*/node_modules/)(?!(${ESM_PKGS.join('|')})/)`],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'backend',
      ...shared,
      roots: [
        '<rootDir>/test',
        '<rootDir>/engine',
        '<rootDir>/domain',
        '<rootDir>/server',
        '<rootDir>/workers',
        '<rootDir>/platform',
        '<rootDir>/db',
      ],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/ui/', '<rootDir>/test/external/'],
    },
    {
      // The web UI in real Chromium (playwright-core + Debian chromium) against the whole platform;
      // needs `npm run build` first (npm test does it). test/ui/harness.ts.
      displayName: 'ui-e2e',
      ...shared,
      roots: ['<rootDir>/test/ui'],
      testMatch: ['**/*.e2e.test.ts'],
    },
    // Suites over material outside the repository (the public Zeebe models in ../shared/conformance):
    // never part of `npm test`; `npm run test:external` (and .ci/run, when the folder exists) runs them.
    ...(process.env.ONEMATTER_EXTERNAL
      ? [{ displayName: 'external', ...shared, roots: ['<rootDir>/test/external'], testMatch: ['**/*.ext.test.ts'] }]
      : []),
  ],
  // A guard against hangs, not a speed check: hooks that migrate a database and start an engine take
  // ~5 s alone but several times that on a loaded two-core machine (the timeout covers hooks too).
  testTimeout: 60000,
  // @camunda8/sdk's gRPC channels keep a keepalive timer referenced for a moment after close();
  // without this jest waits on them after an otherwise finished run.
  forceExit: true,
  maxWorkers: process.env.JEST_MAX_WORKERS || '50%',
};
