/**
 * Recipes, versioned tasks and sharded exports: a recipe regenerates its data
 * set byte for byte in a fresh process; shards written by separate processes
 * join into the single export's bytes; verify finds a missing or changed
 * shard; a recipe of another task version is refused.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  checkRecipe,
  defineTask,
  digits,
  exemplarTask,
  generate,
  generateRecipe,
  makeRecipe,
  OtfgenVersionError,
  pickExemplars,
  pixelCountTask,
  type Recipe,
} from '../src/index.js';
import { exportDataset, exportRecipe, mergeExport, readRecipe, verifyExport } from '../src/node/index.js';
import { shardFromEnvironment } from '../src/cli/common.js';
import { builtCli, commandTestDir } from './helpers.js';

const dir = commandTestDir('otfgen-recipes-');
const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const cli = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  promisify(execFile)(process.execPath, [builtCli, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('recipes', () => {
  it('are checked field by field, each error naming the field and what would be right', () => {
    const good = makeRecipe(digits, { count: 10, seed: 3, batchSize: 4, params: { slant: [-0.2, 0.2] } });
    expect(checkRecipe(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(() => checkRecipe({ ...good, otfgen: 'recipe/9' })).toThrow(/^recipe.otfgen: expected 'recipe\/1' \(a recipe this otfgen reads\), got "recipe\/9"/);
    expect(() => checkRecipe({ ...good, count: 0 })).toThrow(/^recipe.count: expected an integer in \[1, 2147483647\], got 0/);
    expect(() => checkRecipe({ ...good, task: { ...good.task, version: 1.5 } })).toThrow(/^recipe.task.version: expected an integer >= 1, got 1.5/);
    expect(() => checkRecipe({ ...good, colour: 1 })).toThrow(
      /^recipe.colour: no such option; the options are: otfgen, task, seed, count, batchSize, params, output/,
    );
    expect(() => checkRecipe({ ...good, output: { format: 'csv', dtype: 'uint8' } })).toThrow(/^recipe.output.format: expected 'idx' or 'npy', got "csv"/);
    expect(() => makeRecipe(digits, { count: 10, params: (() => ({})) as never })).toThrow(/^makeRecipe options.params: expected fixed parameters/);
  });

  it('regenerate the first count samples of generate, the last batch cut to what is left', async () => {
    const recipe = makeRecipe(digits, { count: 10, seed: 3, batchSize: 4 });
    const got = await generateRecipe(JSON.parse(JSON.stringify(recipe))).toArray();
    const want = await generate(digits, { seed: 3, batchSize: 4 }).take(3).toArray();
    expect(got.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(got.slice(0, 2)).toEqual(want.slice(0, 2));
    expect(Array.from(got[2].x)).toEqual(Array.from(want[2].x.subarray(0, 2 * 784)));
    expect(Array.from(got[2].y)).toEqual(Array.from(want[2].y.subarray(0, 2)));
    // A built-in factory's arguments travel in the recipe.
    const bins = pixelCountTask({ size: 8, target: { bins: 4 } });
    const fromFactory = await generateRecipe(JSON.parse(JSON.stringify(makeRecipe(bins, { count: 3, seed: 1, batchSize: 3 })))).toArray();
    expect(fromFactory).toEqual(await generate(bins, { seed: 1, batchSize: 3 }).take(1).toArray());
  });

  it('of another task version are refused with both versions named (a task changed without its version raised is what the golden hashes catch)', () => {
    const recipe: Recipe = { ...makeRecipe(digits, { count: 10 }), task: { ...makeRecipe(digits, { count: 10 }).task, version: 2 } };
    let error: unknown;
    try {
      generateRecipe(recipe);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OtfgenVersionError);
    expect(error).toMatchObject({ code: 'ERR_TASK_VERSION', task: 'digits', recipeVersion: 2, installedVersion: 1 });
    expect((error as Error).message).toMatch(/^recipe.task.version: the recipe was drawn by 'digits' version 2, and this 'digits' draws version 1/);
    // A task of one's own is checked against the recipe's name and version.
    const definition = { name: 'mine', sampleShape: [2], target: { kind: 'regression', size: 1 }, params: {}, render: () => 0 } as const;
    const mine = defineTask({ ...definition, version: 3 });
    const made = makeRecipe(mine, { count: 2 });
    expect(made.task).toEqual({ name: 'mine', version: 3 });
    expect(() => generateRecipe(made)).toThrow(/^recipe.task.origin: task 'mine' comes from the module otfgen: pass the task itself|^recipe.task/);
    expect(() => generateRecipe(made, { task: defineTask({ ...definition, version: 4 }) })).toThrow(OtfgenVersionError);
    expect(() => generateRecipe(made, { task: digits })).toThrow(/^recipe.task.name: the recipe is for task 'mine', and the task given is 'digits'/);
  });
});

describe('exports with their recipe and manifest', () => {
  it("write each file's sha256 in the manifest, and the recipe regenerates the same bytes in a fresh process", async () => {
    const out = join(dir.path, 'one');
    const r = await exportDataset(digits, { dir: out, count: 250, seed: 4, batchSize: 100, params: { slant: [-0.1, 0.1] } });
    const manifest = JSON.parse(await readFile(r.manifest, 'utf8'));
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['digits-images-idx3-ubyte', 'digits-labels-idx1-ubyte']);
    for (const f of manifest.files) expect(f.sha256).toBe(await sha(join(out, f.name)));
    expect(manifest.samples).toEqual({ start: 0, end: 250 });
    const recipe = await readRecipe(r.recipe!);
    expect(recipe).toMatchObject({ seed: 4, count: 250, batchSize: 100, params: { slant: [-0.1, 0.1] }, task: { name: 'digits', version: 1 } });
    const again = join(dir.path, 'again');
    const { code, stderr } = await cli(['export', '--recipe', r.recipe!, '--out', again]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const f of manifest.files) expect(await sha(join(again, f.name))).toBe(f.sha256);
    // The recipe stands for the pixels in a few hundred bytes.
    expect((await readFile(r.recipe!)).length).toBeLessThan(500);
  });

  it('of a task built from data (exemplars) or with parameters as a function have no recipe, and say why', async () => {
    const ex = exemplarTask(
      pickExemplars(
        { x: new Float32Array(4 * 784).fill(0.5), y: new Int32Array([0, 1, 0, 1]), sampleShape: [28, 28, 1], target: { kind: 'class', classes: 2 } } as never,
        { perClass: 1, seed: 1 },
      ),
    );
    expect(() => makeRecipe(ex, { count: 4 })).toThrow(/^makeRecipe\(task\): task 'exemplars' is built from data/);
    for (const [name, options] of [
      ['exemplars', { task: ex }],
      ['function', { task: digits, params: () => ({}) }],
    ] as const) {
      const out = join(dir.path, `no-recipe-${name}`);
      const r = await exportDataset(options.task as typeof digits, {
        dir: out,
        count: 4,
        batchSize: 2,
        ...('params' in options ? { params: options.params } : {}),
      });
      expect(r.recipe).toBeNull();
      expect(JSON.parse(await readFile(r.manifest, 'utf8')).recipe).toBeNull();
      expect((await readdir(out)).some((f) => f.endsWith('.recipe.json'))).toBe(false);
    }
  });

  it('written as shards by separate processes, join into the single export, IDX and NPY', async () => {
    for (const format of ['idx', 'npy']) {
      const single = join(dir.path, `single-${format}`),
        shards = join(dir.path, `shards-${format}`),
        merged = join(dir.path, `merged-${format}`);
      const one = await exportDataset(digits, { dir: single, count: 530, seed: 9, batchSize: 100, format: format as 'idx' });
      // Four processes at once, as a batch scheduler would start them.
      const runs = await Promise.all([0, 1, 2, 3].map((i) => cli(['export', '--recipe', one.recipe!, '--shard', `${i}/4`, '--out', shards])));
      expect(runs.map((r) => r.stderr)).toEqual(['', '', '', '']);
      const sets = await verifyExport(shards);
      expect(sets).toMatchObject([{ stem: 'digits', shards: 4, missing: [], problems: [], ok: true }]);
      const manifests = await Promise.all(
        [0, 1, 2, 3].map(async (i) => JSON.parse(await readFile(join(shards, `digits.manifest-0000${i}-of-00004.json`), 'utf8'))),
      );
      // Whole batches: 6 batches over 4 shards.
      expect(manifests.map((m) => m.samples)).toEqual([
        { start: 0, end: 100 },
        { start: 100, end: 300 },
        { start: 300, end: 400 },
        { start: 400, end: 530 },
      ]);
      await mergeExport(shards, { out: merged });
      for (const name of await readdir(single)) expect(await sha(join(merged, name)), name).toBe(await sha(join(single, name)));
    }
  });

  it('are read by numpy, each NPY shard memory-mapped', async (ctx) => {
    const python = ['/usr/bin/python3', 'python3'].find((p) => {
      try {
        execFileSync(p, ['-c', 'import numpy'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (!python) ctx.skip();
    const shards = join(dir.path, 'shards-npy');
    const script = `
import json, glob, numpy as np, sys
total = 0
for m in sorted(glob.glob(sys.argv[1] + '/digits.manifest-*.json')):
    man = json.load(open(m))
    x = np.load(sys.argv[1] + '/' + man['files'][0]['name'], mmap_mode='r')
    y = np.load(sys.argv[1] + '/' + man['files'][1]['name'], mmap_mode='r')
    assert x.shape[0] == y.shape[0] == man['samples']['end'] - man['samples']['start']
    total += x.shape[0]
print(json.dumps({'total': total, 'shape': list(x.shape[1:]), 'dtype': str(x.dtype), 'labels': sorted(set(int(v) for v in y))}))`;
    const out = JSON.parse(execFileSync(python!, ['-c', script, shards], { encoding: 'utf8' }));
    expect(out).toEqual({ total: 530, shape: [28, 28, 1], dtype: 'uint8', labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });

  it('verify reports a missing or changed shard, and merge then writes nothing', async () => {
    const shards = join(dir.path, 'broken');
    const recipe = makeRecipe(digits, { count: 300, seed: 2, batchSize: 100 });
    for (const i of [0, 1, 2]) await exportRecipe(recipe, { dir: shards, shard: { index: i, count: 3 } });
    const labels = join(shards, 'digits-labels-idx1-ubyte-00001-of-00003');
    const bytes = await readFile(labels);
    bytes[20] ^= 1;
    await writeFile(labels, bytes);
    const { rm } = await import('node:fs/promises');
    await rm(join(shards, 'digits.manifest-00002-of-00003.json'));
    const [set] = await verifyExport(shards);
    expect(set.ok).toBe(false);
    expect(set.missing).toEqual([2]);
    expect(set.problems).toEqual([
      expect.stringMatching(/^digits-labels-idx1-ubyte-00001-of-00003 \(digits.manifest-00001-of-00003.json\): sha256 \w+\.\.\., the manifest says \w+\.\.\.$/),
    ]);
    const { code, stdout } = await cli(['verify', shards]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^digits: FAILED \(3 shards, 300 samples of digits v1\)\n {2}missing shard\(s\): 2\n {2}digits-labels-idx1-ubyte-00001-of-00003 /);
    await expect(mergeExport(shards, { out: join(dir.path, 'not-merged') })).rejects.toThrow(
      /cannot merge, nothing was written:\n {2}digits: shard\(s\) 2 of 3 missing/,
    );
    expect(existsSync(join(dir.path, 'not-merged', 'digits-images-idx3-ubyte'))).toBe(false);
  });

  it("refuses a shard into a folder of another set's shards, and more shards than batches", async () => {
    const shards = join(dir.path, 'mixed');
    await exportRecipe(makeRecipe(digits, { count: 200, seed: 1, batchSize: 100 }), { dir: shards, shard: { index: 0, count: 2 } });
    await expect(exportRecipe(makeRecipe(digits, { count: 200, seed: 2, batchSize: 100 }), { dir: shards, shard: { index: 1, count: 2 } })).rejects.toThrow(
      /digits.recipe.json: holds another data set's recipe/,
    );
    await expect(exportRecipe(makeRecipe(digits, { count: 200, seed: 1, batchSize: 100 }), { dir: shards, shard: { index: 0, count: 3 } })).rejects.toThrow(
      /^exportRecipe options.shard.count: 3 shards of 2 batch\(es\)/,
    );
  });

  it("a task module's recipe names the module relative to the folder, and regenerates from another working folder", async () => {
    const project = join(dir.path, 'project');
    await mkdir(project, { recursive: true });
    const fixture = fileURLToPath(new URL('./fixtures/stripes-task.mjs', import.meta.url));
    const first = await cli(['export', '--task-module', fixture, '--count', '40', '--batch-size', '10', '--out', join(dir.path, 'stripes')]);
    expect(first.stderr).toBe('');
    const recipe = JSON.parse(await readFile(join(dir.path, 'stripes', 'stripes.recipe.json'), 'utf8'));
    expect(recipe.task).toEqual({ name: 'stripes', version: 1, origin: { module: relative(join(dir.path, 'stripes'), fixture), export: '*' } });
    const again = await cli(['export', '--recipe', join(dir.path, 'stripes', 'stripes.recipe.json'), '--shard', '1/2', '--out', join(dir.path, 'stripes-2')], {
      cwd: project,
    });
    expect(again.stderr).toBe('');
    const whole = await readFile(join(dir.path, 'stripes', 'stripes-images-idx3-ubyte'));
    const half = await readFile(join(dir.path, 'stripes-2', 'stripes-images-idx3-ubyte-00001-of-00002'));
    expect(half.subarray(16)).toEqual(whole.subarray(16 + 20 * 784));
  });

  it('the CLI refuses a recipe of another task version, naming both', async () => {
    const recipe = { ...makeRecipe(digits, { count: 10 }), task: { name: 'digits', version: 7, origin: { module: 'otfgen', export: 'digits' } } };
    const path = join(dir.path, 'v7.recipe.json');
    await writeFile(path, JSON.stringify(recipe));
    const { code, stderr } = await cli(['export', '--recipe', path, '--out', join(dir.path, 'v7')]);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^otfgen: recipe.task.version: the recipe was drawn by 'digits' version 7, and this 'digits' draws version 1/);
    expect(existsSync(join(dir.path, 'v7'))).toBe(false);
  });
});

describe('the shard a batch scheduler names', () => {
  it('comes from --shards and JOB_COMPLETION_INDEX, or from a Slurm array', () => {
    expect(shardFromEnvironment(undefined, {})).toBeNull();
    expect(shardFromEnvironment(4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({
      index: 4,
      count: 8,
    });
    expect(() => shardFromEnvironment(4, {})).toThrow(/^--shards: names how many shards, but no shard index was found/);
    expect(() => shardFromEnvironment(4, { JOB_COMPLETION_INDEX: '4' })).toThrow(/^--shards: the scheduler's index 4 is not a shard of 4 \(0 to 3\)/);
    expect(() => shardFromEnvironment(4, { JOB_COMPLETION_INDEX: 'x' })).toThrow(/^JOB_COMPLETION_INDEX: expected a non-negative integer/);
  });

  it('is what otfgen export writes under a Kubernetes Indexed Job', async () => {
    const out = join(dir.path, 'k8s');
    const { stdout, stderr } = await cli(['export', '--task', 'digits', '--count', '200', '--batch-size', '100', '--shards', '2', '--out', out], {
      env: { JOB_COMPLETION_INDEX: '1' },
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^wrote 100 samples \(shard 1 of 2\)/);
    expect((await readdir(out)).sort()).toEqual([
      'digits-images-idx3-ubyte-00001-of-00002',
      'digits-labels-idx1-ubyte-00001-of-00002',
      'digits.manifest-00001-of-00002.json',
      'digits.recipe.json',
    ]);
  });
});
