/**
 * The published package as a user meets it: npm pack, install the tarball into
 * a fresh project, then import (ESM), require (CJS) and type-check against it,
 * and bundle its core for the browser.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
// Inside the repo, so the project finds the peer dependencies (tfjs-core) in the repo's node_modules.
const project = join(root, '.pack-test');
const run = (cmd: string, args: string[], cwd = project) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project);
  const out = run('npm', ['pack', '--silent', '--pack-destination', project], root).trim().split('\n');
  const tarball = out[out.length - 1];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  // --prefer-offline: the cache a fresh machine has after `npm ci` holds the
  // tarballs but not the registry documents an install of a new project reads;
  // with --offline this failed there (ENOTCACHED), so the registry is asked.
  run('npm', ['install', `./${tarball}`, '--prefer-offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--ignore-scripts']);
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed library', () => {
  it('imports as ESM', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { generate, pixelCount, OtfgenError, Stream } from 'otfgen';
       import { readIdx, mnist } from 'otfgen/node';
       import { createModel } from 'otfgen/harness';
       const [b] = await generate(pixelCount, { seed: 1, batchSize: 2 }).take(1).toArray();
       // The two entry points share one copy of the classes.
       const err = await mnist({ split: 'nope' }).catch((e) => e);
       const sameClasses = err instanceof OtfgenError && generate(pixelCount) instanceof Stream;
       // The argument validators are internal: not part of the API.
       const api = await import('otfgen');
       const internal = ['checkInt', 'checkNumber', 'checkFraction', 'describe', 'checkParamValue', 'resolveWarmup', 'datasetCount', 'checkParams'].filter((k) => k in api);
       console.log(JSON.stringify({ size: b.size, y: Array.from(b.y), readIdx: typeof readIdx, createModel: typeof createModel, sameClasses, internal }));`,
    );
    expect(JSON.parse(run('node', ['esm.mjs']))).toMatchObject({ size: 2, readIdx: 'function', createModel: 'function', sameClasses: true, internal: [] });
  });

  it('requires as CJS, with the same bytes as ESM', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { renderBatch, pixelCount, OtfgenError } = require('otfgen');
       const { mnist } = require('otfgen/node');
       const b = renderBatch(pixelCount, { seed: 1, index: 0, batchSize: 2 });
       mnist({ split: 'nope' }).catch((e) => {
         console.log(JSON.stringify({ size: b.size, y: Array.from(b.y), mnist: typeof mnist, sameClasses: e instanceof OtfgenError }));
       });`,
    );
    const cjs = JSON.parse(run('node', ['cjs.cjs']));
    const esm = JSON.parse(run('node', ['esm.mjs']));
    expect(cjs).toMatchObject({ size: 2, mnist: 'function', sameClasses: true });
    expect(cjs.y).toEqual(esm.y);
  });

  it('ships types that resolve for import and require', () => {
    writeFileSync(
      join(project, 'use.mts'),
      `import { generate, pixelCount, type Batch } from 'otfgen';
       import { mnist } from 'otfgen/node';
       const s = generate(pixelCount, { seed: 1 });
       const n: number | null = s.size;
       const b: Promise<Batch[]> = s.take(1).toArray();
       void mnist; void n; void b;`,
    );
    writeFileSync(
      join(project, 'use.cts'),
      `import { generate, pixelCount } from 'otfgen';
       const s = generate(pixelCount, { params: { onProbability: 0.3 } });
       export const size: number | null = s.size;`,
    );
    writeFileSync(
      join(project, 'bad.mts'),
      `import { generate, pixelCount } from 'otfgen';
       generate(pixelCount, { params: { onProbability: 'high' } });`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')];
    expect(() => run('node', [tsc, ...flags, 'use.mts', 'use.cts'])).not.toThrow();
    // The types are real: a wrong parameter type fails to compile.
    let diagnostics = '';
    try {
      run('node', [tsc, ...flags, 'bad.mts']);
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/bad\.mts.*onProbability|bad\.mts.*not assignable/s);
  });

  it('bundles its core (otfgen) for the browser, with no Node built-in reached', async () => {
    // platform 'browser': an import of fs, worker_threads or the like fails to resolve, and the build throws.
    const bundle = (entry: string, source: string) => {
      writeFileSync(join(project, entry), source);
      return build({ entryPoints: [join(project, entry)], absWorkingDir: project, bundle: true, platform: 'browser', format: 'esm', write: false, external: ['@tensorflow/tfjs-core'], logLevel: 'silent' });
    };
    const code = (await bundle('browser.mjs', `import { generate, digits } from 'otfgen'; export const s = generate(digits, { seed: 1 });`)).outputFiles[0].text;
    expect(code).toContain('digits');
    expect(code).not.toMatch(/from ["']node:|require\(["'](node:)?(fs|path|os|worker_threads|child_process)["']\)/);
    // The Node entry point does reach them: the check can fail.
    await expect(bundle('node-entry.mjs', `export { mnist } from 'otfgen/node';`)).rejects.toThrow(/Could not resolve/);
  });
});
