/**
 * The browser bundles stay small and browser-only: each entry bundled for the
 * browser (minified, tfjs left to the app), its gzipped size under a budget,
 * so that a Node-only or study dependency cannot creep in unseen (a Node
 * built-in fails the bundle outright). Sizes are in docs/browser.md.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Gzipped bytes each entry may take: the size measured when set, plus about a quarter. */
const BUDGETS: Record<string, number> = {
  'src/index.ts': 45_000,
  'src/browser/index.ts': 12_000,
  'src/browser/worker.ts': 26_000,
  'src/adaptive/index.ts': 25_000,
};

/** What a browser bundle may hold: our source, the package's own dependencies, and the built-ins their browser fields turn off. */
const dependencies = Object.keys(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).dependencies);
const allowed = (file: string) => file.startsWith('src/') || file.startsWith('(disabled):') || dependencies.some((d) => file.startsWith(`node_modules/${d}/`));

async function gzipped(entry: string): Promise<{ bytes: number; inputs: string[] }> {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external: ['@tensorflow/*'],
    logLevel: 'silent',
  });
  return { bytes: gzipSync(r.outputFiles[0].contents).length, inputs: Object.keys(r.metafile.inputs) };
}

describe('browser bundles', () => {
  for (const [entry, budget] of Object.entries(BUDGETS)) {
    it(`${entry} bundles for the browser within ${budget / 1000} kB gzipped, from src/ and the dependencies alone`, async () => {
      const { bytes, inputs } = await gzipped(entry);
      expect(bytes).toBeLessThan(budget);
      expect(inputs.filter((f) => !allowed(f))).toEqual([]);
      expect(inputs.some((f) => f.startsWith('src/'))).toBe(true);
    });
  }
});
