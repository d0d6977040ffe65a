/**
 * The CLI pointed at a user's own sources: a task module, an IDX folder and an
 * image folder, for `bench` (data-loading overhead) and `sweep` (how much of a
 * training run the task replaces).
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { digits, generate } from '../src/index.js';
import { selectBackend, writeImageFolder } from '../src/node/index.js';
import { builtCli, commandTestDir, writeIdxDataset } from './helpers.js';

const taskModule = fileURLToPath(new URL('./fixtures/stripes-task.mjs', import.meta.url));
const dir = commandTestDir('otfgen-user-sources-');
// The commands choose their backend; chosen first here, so the tensor count has one to ask.
beforeAll(async () => {
  await import('@tensorflow/tfjs-layers');
  await selectBackend({ backend: 'wasm' });
});

describe("otfgen bench on a user's sources", () => {
  it('times a task module, an IDX folder and an image folder, alone and feeding the training step, and writes JSON and a table', async () => {
    const idx = await writeIdxDataset(join(dir.path, 'idx'), 64, 10);
    const pngs = join(dir.path, 'pngs');
    await writeImageFolder(generate(digits, { seed: 2, batchSize: 16 }), pngs, { count: 48 });
    const out = join(dir.path, 'bench');
    const { benchCommand } = await import('../src/cli/bench.js');
    const before = tf.memory().numTensors;
    const rows = await benchCommand({
      taskModule,
      idx,
      imageFolder: pngs,
      batches: 4,
      batchSize: 8,
      workers: 1,
      train: true,
      backend: 'wasm',
      seed: 1,
      out,
      plots: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => [r.source, r.kind])).toEqual([
      ['stripes', 'task'],
      [`idx:${idx}`, 'idx'],
      [`image-folder:${pngs}`, 'image-folder'],
    ]);
    for (const r of rows) {
      expect(r.sampleShape).toEqual([28, 28, 1]);
      expect(r.alone).toMatchObject({ items: 4, samples: 32 });
      expect(r.alone.sourceSamplesPerSecond).toBeGreaterThan(0);
      expect(r.training!.items).toBe(4);
      expect(r.training!.dataWaitShare).toBeGreaterThan(0);
      expect(r.training!.dataWaitShare).toBeLessThan(1);
    }
    const saved = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    expect(saved.sources.map((s: { source: string }) => s.source)).toEqual(rows.map((r) => r.source));
    expect(saved.settings).toMatchObject({ batches: 4, batchSize: 8, train: true });
    const table = await readFile(join(out, 'bench.md'), 'utf8');
    expect(table).toMatch(/^\| source +\| samples\/s alone .*\| data wait share \|$/m);
    expect(table).toMatch(/^\| stripes /m);
    expect((await readdir(out)).sort()).toEqual(['bench.json', 'bench.md']); // --no-plots: no chart
  }, 120_000);

  it('benchmarks the built-in tasks by default, from the built CLI, with a chart', async () => {
    const out = join(dir.path, 'bench-cli');
    const { stdout } = await promisify(execFile)(process.execPath, [builtCli, 'bench', '--batches', '2', '--batch-size', '4', '--out', out]);
    expect(stdout).toMatch(/pixel-count: [\d,]+ samples\/s alone/);
    expect(stdout).toMatch(/digits: [\d,]+ samples\/s alone/);
    expect(stdout).toMatch(/fashion: [\d,]+ samples\/s alone/);
    expect((await readdir(out)).sort()).toEqual(['bench.json', 'bench.md', 'bench.png', 'bench.svg']);
  }, 60_000);

  it('names an unknown built-in task', async () => {
    const { benchCommand } = await import('../src/cli/bench.js');
    await expect(
      benchCommand({ tasks: ['nope'], batches: 2, batchSize: 2, workers: 1, train: false, backend: 'wasm', seed: 1, out: join(dir.path, 'x'), plots: false }),
    ).rejects.toThrow(/unknown task 'nope'/);
  });
});

describe('otfgen sweep of a task module', () => {
  it('trains on the IDX folder with a warm-up on the task, records the task by name, and resumes', async () => {
    const data = await writeIdxDataset(join(dir.path, 'sweep-data'), 40, 30);
    const out = join(dir.path, 'sweep');
    const { resolveTask } = await import('../src/cli/common.js');
    const { task } = await resolveTask({ taskModule });
    const { sweepCommand } = await import('../src/cli/sweep.js');
    const before = tf.memory().numTensors;
    const options = { task, shares: [0, 0.5], seeds: 1, steps: 4, batchSize: 8, blend: 'switch', data, out, backend: 'wasm', plots: false } as const;
    await sweepCommand(options);
    expect(tf.memory().numTensors).toBe(before);
    const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(saved.config).toMatchObject({ tasks: ['stripes'], data, totalSteps: 4 });
    expect(saved.rows.map((r: { task: string; share: number }) => `${r.task}/${r.share}`)).toEqual(['baseline/0', 'stripes/0.5']);
    expect((await readdir(out)).sort()).toEqual(['results.csv', 'results.json']);
    // Run again: both runs are found and none is trained again.
    await sweepCommand({ ...options, seeds: 1 });
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).rows).toEqual(saved.rows);
  }, 120_000);

  it('refuses, before training, a task whose samples do not fit the real images, and a blend across targets', async () => {
    const data = await writeIdxDataset(join(dir.path, 'fit-data'), 20, 10);
    const { resolveTask } = await import('../src/cli/common.js');
    const { sweepCommand } = await import('../src/cli/sweep.js');
    const { task: bars } = await resolveTask({ taskModule: fileURLToPath(new URL('./fixtures/user-tasks.mjs', import.meta.url)), task: 'bars' });
    const base = { shares: [0, 0.5], seeds: 1, steps: 2, batchSize: 8, blend: 'switch', data, backend: 'wasm', plots: false } as const;
    const out = join(dir.path, 'never');
    await expect(sweepCommand({ ...base, task: bars, out })).rejects.toThrow(
      `--task: task 'bars' draws [8, 8, 1] samples, and the real images of ${data} are [28, 28, 1]: one model trains on both`,
    );
    const { task: pixels } = await resolveTask({ task: 'pixel-count' });
    await expect(sweepCommand({ ...base, blend: 'linear', task: pixels, out })).rejects.toThrow(
      /^--blend: a linear blend mixes the task's samples with real ones in one batch/,
    );
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' }); // nothing was written
  }, 60_000);

  it('from the built CLI: a module of several tasks needs --task, and an unknown one is named', async () => {
    const several = fileURLToPath(new URL('./fixtures/user-tasks.mjs', import.meta.url));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [builtCli, ...args]).then(
        () => '',
        (e: { stderr: string }) => e.stderr.trim(),
      );
    expect(await run(['sweep', '--task-module', several, '--steps', '1'])).toBe(
      `otfgen: <task>: the --task-module ${several} exports 2 tasks (bars, fragile): name one`,
    );
    expect(await run(['sweep', 'nope', '--task-module', several, '--steps', '1'])).toBe(
      `otfgen: <task>: the --task-module ${several} exports no task named 'nope'; it exports: bars, fragile`,
    );
    // export takes the task as --task, and its errors say so.
    expect(await run(['export', '--task-module', several, '--count', '1'])).toBe(
      `otfgen: --task: the --task-module ${several} exports 2 tasks (bars, fragile): name one`,
    );
    expect(await run(['preview'])).toBe('otfgen: <task>: name a built-in task (pixel-count, digits, fashion) or give --task-module <file>');
    expect(await run(['preview', '--task-module', '/nonexistent/task.js'])).toMatch(/^otfgen: \/nonexistent\/task\.js: cannot import the --task-module: /);
  }, 60_000);
});
