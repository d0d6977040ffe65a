import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig([
  {
    // The library: ESM and CJS with declarations for both.
    entry: {
      index: 'src/index.ts',
      node: 'src/node/index.ts',
      adaptive: 'src/adaptive/index.ts',
      harness: 'src/harness/index.ts',
      worker: 'src/node/workers/worker.ts',
      browser: 'src/browser/index.ts',
      'browser-worker': 'src/browser/worker.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    // One shared chunk: otfgen and otfgen/node must share classes (Stream, errors) for instanceof to hold.
    splitting: true,
    shims: true,
  },
  {
    // The command line tool: ESM only, never imported by users.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    // otfgen --version: the package's version, fixed at build time.
    define: { OTFGEN_VERSION: JSON.stringify(version) },
  },
]);
