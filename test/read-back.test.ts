import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digits, pixelCountTask } from '../src/index.js';
import { readBack } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node.js';
import { readBackCommand } from '../src/cli/read-back.js';
import { builtCli, commandTestDir, writeIdxDataset } from './helpers.js';

const dir = commandTestDir('otfgen-read-back-');

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('readBack', () => {
  it('a CNN trained on real MNIST reads the generated digits mostly as their digit; the same options give the same result, and nothing leaks', async () => {
    const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const before = tf.memory().numTensors;
    const options = { task: digits, train, test: { ...test, x: test.x.subarray(0, 500 * 784), y: test.y.subarray(0, 500) }, steps: 60, batchSize: 32, count: 300 };
    const r = await readBack(options);
    expect(tf.memory().numTensors).toBe(before);
    // Chance is 0.1: 60 steps of real digits already read most generated ones right, and the real test images better still.
    expect(r.realTestAccuracy).toBeGreaterThan(0.5);
    expect(r.accuracy).toBeGreaterThan(0.3);
    expect(r.confusion.flat().reduce((a, v) => a + v, 0)).toBe(300);
    expect(r.accuracy).toBeCloseTo(r.confusion.reduce((a, row, c) => a + row[c], 0) / 300, 10);
    expect(r.perClass).toHaveLength(10);
    r.perClass.forEach((v, c) => expect(v).toBeCloseTo(r.confusion[c][c] / r.confusion[c].reduce((a, n) => a + n, 0), 10));
    expect(await readBack(options)).toEqual(r);
    // Without test images, no real test accuracy.
    expect((await readBack({ ...options, test: undefined, steps: 2 })).realTestAccuracy).toBeUndefined();
  }, 60_000);

  it('refuses a task that is not a class task of the real images\' classes, and bad params, naming them, before any model is made', async () => {
    const train = await mnist({ split: 'train' });
    const before = tf.memory().numTensors;
    await expect(readBack({ task: pixelCountTask(), train })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT',
      message: "readBack options.task: expected a class task with the real images' 10 classes, got 'pixel-count' (regression target)",
    });
    await expect(readBack({ task: digits, train, params: { slant: [-500, 0] } })).rejects.toThrow(/params\.slant: expected .* within \[-45, 45\]/);
    await expect(readBack({ task: digits, train, steps: 0 })).rejects.toThrow(/readBack options\.steps/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('otfgen read-back', () => {
  it('--data: reads the generated items with CNNs trained on that folder, writes the report with its command', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx'), 40, 20);
    const out = join(dir.path, 'rb.json');
    await readBackCommand({ task: 'fashion', steps: 2, seeds: 2, count: 30, out, backend: 'wasm', data });
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({ task: 'fashion', data, steps: 2, generated: { count: 30, seed: 1 } });
    expect(report.command).toBe(`npx otfgen read-back fashion --steps 2 --seeds 2 --count 30 --data ${data}`);
    expect(report.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2]);
    expect(report.perClass.map((c: { class: string }) => c.class)).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    // Each class's share read as itself is what the seeds' summed confusions say.
    const coat = report.runs.reduce((a: number, r: { confusion: number[][] }) => a + r.confusion[4][4], 0) / report.runs.reduce((a: number, r: { confusion: number[][] }) => a + r.confusion[4].reduce((s, v) => s + v, 0), 0);
    expect(report.perClass[4].readAsItself).toBeCloseTo(coat, 4);
    expect(report.meanAccuracy).toBeCloseTo((report.runs[0].accuracy + report.runs[1].accuracy) / 2, 4);
  }, 60_000);

  it('--jobs: the seeds in child processes give the report one process gives, in seed order; --only-seed gives that seed\'s run', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx-jobs'), 40, 20);
    const base = { task: 'digits', steps: 3, seeds: 3, count: 40, backend: 'wasm', data };
    const read = async (out: string) => JSON.parse(await readFile(out, 'utf8'));
    await readBackCommand({ ...base, out: join(dir.path, 'one.json') });
    await readBackCommand({ ...base, out: join(dir.path, 'jobs.json'), jobs: 2, cliScript: builtCli });
    await readBackCommand({ ...base, out: join(dir.path, 'seed2.json'), onlySeed: 2 });
    const [one, jobs, seed2] = await Promise.all(['one', 'jobs', 'seed2'].map((n) => read(join(dir.path, `${n}.json`))));
    expect(jobs.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2, 3]);
    const { command: oneCommand, ...oneRest } = one;
    const { command: jobsCommand, ...jobsRest } = jobs;
    expect(jobsRest).toEqual(oneRest);
    expect(jobsCommand).toBe(`${oneCommand} --jobs 2`);
    expect(seed2.runs).toEqual([one.runs[1]]);
    expect(seed2.command).toBe(`${oneCommand} --only-seed 2`);
    await expect(readBackCommand({ ...base, out: join(dir.path, 'x.json'), onlySeed: 4 })).rejects.toThrow(/--only-seed: expected an integer in \[1, 3\], got 4/);
  }, 120_000);

  it('refuses an unknown task, or one that is not of 10 classes, naming it, before loading anything', async () => {
    const base = { steps: 2, seeds: 1, count: 10, out: join(dir.path, 'x.json'), backend: 'wasm', data: '/nonexistent' };
    await expect(readBackCommand({ ...base, task: 'socks' })).rejects.toThrow(/socks/);
    await expect(readBackCommand({ ...base, task: 'pixel-count' })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT',
      message: "<task>: read-back reads 10 classes (MNIST's digits, or the --data's): expected a task with 10 classes, such as digits or fashion, got 'pixel-count'",
    });
  });
});
