// @ts-check
// Lint for the whole workspace (STYLE.md "Tooling"): type-aware rules through
// typescript-eslint's project service, which picks the nearest tsconfig.json.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** STYLE.md "Config": `process.env` is read in exactly one file per program. */
const PROCESS_ENV_MESSAGE =
  'Read configuration through the typed config object (apps/platform/src/config/config.ts); process.env is read only there.';

/** Node globals for the plain-JavaScript config files (TypeScript files get them from @types/node). */
const NODE_GLOBALS = /** @type {const} */ ({
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
});

/** Files allowed to read the environment: the config parsers, tests and benchmarks. */
const ENV_READERS = [
  'apps/platform/src/config/config.ts',
  'devices-sim/src/config.ts',
  'devices-sim/src/config/**/*.ts',
  'test/**',
  'bench/**',
  '*.config.{js,cjs,mjs,ts}',
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'libs/*/dist/**',
      'apps/*/dist/**',
      'apps/web/dist/**',
      'coverage/**',
      'test-results/**',
      'data/**',
      'data-demo/**',
      '.nx/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Plain JavaScript (config files at the root): syntax-level rules only.
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [eslint.configs.recommended],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // TypeScript: type-aware.
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // NestJS reads constructor parameter types at run time (emitDecoratorMetadata):
        // an injected class must stay a value import, so type-only imports are inline and opt-in.
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Nest modules and decorated classes are often empty or static-only.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: PROCESS_ENV_MESSAGE }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: PROCESS_ENV_MESSAGE,
        },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },

  // The config parsers, tests and benchmarks may read the environment.
  {
    files: ENV_READERS,
    rules: {
      'no-restricted-properties': 'off',
      'no-restricted-syntax': 'off',
    },
  },

  // Tests: mocks and raw protocol payloads are loosely typed on purpose.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // `expect(mock.method)` is how jest asserts on a collaborator; it is not an unbound call.
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },

  // Library boundaries, by Nx tag (project.json), without an Nx lint plugin.
  // Each block lists everything its scope may not import (later blocks replace, not merge, the rule).
  ...boundaries(),
);

/**
 * scope:shared (libs) depend on nothing in apps or the simulator; libs/contract stays
 * runtime-light because the browser apps bundle it. scope:platform, scope:sim and scope:web
 * never import each other. Only libs/queue imports bullmq (STYLE.md "Shape").
 */
function boundaries() {
  const ts = (/** @type {string} */ glob) => [`${glob}/**/*.ts`, `${glob}/**/*.tsx`];
  const restrict = (
    /** @type {string} */ scope,
    /** @type {{ regex: string, message: string }[]} */ patterns,
    /** @type {string[]} */ paths = [],
  ) => ({
    'no-restricted-imports': [
      'error',
      {
        paths: paths.map((name) => ({ name, message: `${scope} may not import ${name}.` })),
        patterns: patterns.map(({ regex, message }) => ({ regex, message: `${scope}: ${message}` })),
      },
    ],
  });
  const app = (/** @type {string} */ name) => ({
    regex: `(^|/)(apps/)?${name}/src(/|$)`,
    message: `import from ${name} only through a library in libs/.`,
  });
  const platform = app('platform');
  const web = app('web');
  const sim = app('devices-sim');
  const viaQueueLib = { regex: '^bullmq(/|$)', message: 'build queues and workers through @anxin/queue.' };
  const libsOwnEntry = {
    regex: '(^|/)libs/[a-z-]+/(src|dist)(/|$)',
    message: "import a library by its name (e.g. '@anxin/contract'), not by path.",
  };
  return [
    {
      files: ts('libs/contract/src'),
      rules: restrict(
        'scope:shared (libs/contract)',
        [platform, web, sim, viaQueueLib, { regex: '^@nestjs/', message: 'the contract is framework-free.' }],
        ['@anxin/queue', 'typeorm'],
      ),
    },
    {
      files: ts('libs/queue/src'),
      rules: restrict('scope:shared (libs/queue)', [platform, web, sim]),
    },
    {
      files: ts('apps/platform/src'),
      rules: restrict('scope:platform', [web, sim, viaQueueLib, libsOwnEntry]),
    },
    {
      files: ts('apps/web'),
      rules: restrict('scope:web', [platform, sim, viaQueueLib, libsOwnEntry], ['@anxin/queue']),
    },
    {
      files: ts('devices-sim'),
      rules: restrict('scope:sim', [platform, web, viaQueueLib, libsOwnEntry], ['@anxin/queue']),
    },
  ];
}
