// Lint: typescript-eslint's recommended rules, and the layers of the design as import boundaries.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers of src/, lowest first: a folder may import its own layer and
 * those below, never one above (DESIGN.md: core <- stream <- sources, image,
 * backend <- tasks <- fit <- adaptive <- browser, node <- harness <- cli).
 */
const LAYERS = ['core', 'stream', 'sources', 'image', 'backend', 'tasks', 'fit', 'adaptive', 'browser', 'node', 'harness', 'cli'];
const zones = LAYERS.flatMap((layer, i) =>
  LAYERS.slice(i + 1).map((above) => ({
    target: `./src/${layer}`,
    from: `./src/${above}`,
    message: `src/${layer} is below src/${above}: layers import downwards only (see eslint.config.js)`,
  })),
);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'site/**',
      'coverage/**',
      'node_modules/**',
      'benchmarks/results/**',
      'benchmarks/mutation/**',
      'out/**',
      '.stryker-tmp/**',
      '.scratch/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      // Task parameter spaces are generic over any task; `any` marks where a task of any space is taken.
      '@typescript-eslint/no-explicit-any': 'off',
      // `cond && f()` and `a ? f() : g()` as statements read well in the short loops where they appear.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Async generator functions cannot be arrows, so a stream built from one names its owner.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...zones,
            { target: './src/node', from: './src/browser', message: 'src/node and src/browser are siblings: neither imports the other' },
            { target: './src', from: './benchmarks', message: 'the library never imports the studies' },
          ],
        },
      ],
      'import-x/no-cycle': 'error',
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      // no-cycle parses the modules an import reaches: TypeScript ones too.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
  },
  {
    // Stream's fluent methods delegate to the one-file operators, which build Streams: a cycle by
    // design (DESIGN.md), safe because each side uses the other only inside functions, never while
    // the modules load. The rule stays on for every other file.
    files: ['src/stream/{stream,map,take,rebatch,shuffle,shard,prefetch}.ts'],
    rules: { 'import-x/no-cycle': 'off' },
  },
  {
    // Browser-safe parts never reach Node built-ins; Node-only code lives in src/node and above.
    files: ['src/{core,stream,sources,image,backend,tasks,fit,adaptive,browser}/**/*.ts', 'src/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'browser-safe code: Node built-ins belong in src/node' }] }] },
  },
);
