import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { digits, pixelCountTask } from '../src/index.js';
import { readBack } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node/index.js';
import { readBackCommand } from '../benchmarks/study/cli/read-back.js';
import { studyCli, commandTestDir, writeIdxDataset } from './helpers.js';

const dir = commandTestDir('otfgen-read-back-');

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('readBack', () => {
  it('a CNN trained on real MNIST reads the generated digits mostly as their digit; the same options give the same result, and nothing leaks', async () => {
    const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const before = tf.memory().numTensors;
    const options = {
      task: digits,
      train,
      test: { ...test, x: test.x.subarray(0, 500 * 784), y: test.y.subarray(0, 500) },
      steps: 60,
      batchSize: 32,
      count: 300,
    };
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

  it('an aborted signal stops the training, disposes the model and rejects with its reason', async () => {
    const train = await mnist({ split: 'train' });
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    const stopped = readBack({ task: digits, train, steps: 100_000, batchSize: 8, count: 10, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 200);
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
    await expect(readBack({ task: digits, train, count: 10, signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow('stop');
  }, 60_000);

  it("refuses a task that is not a class task of the real images' classes, and bad params, naming them, before any model is made", async () => {
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
    expect(report.command).toBe(`npm run study -- read-back fashion --steps 2 --seeds 2 --count 30 --data ${data}`);
    expect(report.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2]);
    expect(report.perClass.map((c: { class: string }) => c.class)).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    // Each class's share read as itself is what the seeds' summed confusions say.
    const coat =
      report.runs.reduce((a: number, r: { confusion: number[][] }) => a + r.confusion[4][4], 0) /
      report.runs.reduce((a: number, r: { confusion: number[][] }) => a + r.confusion[4].reduce((s, v) => s + v, 0), 0);
    expect(report.perClass[4].readAsItself).toBeCloseTo(coat, 4);
    expect(report.meanAccuracy).toBeCloseTo((report.runs[0].accuracy + report.runs[1].accuracy) / 2, 4);
  }, 60_000);

  it("--jobs: the seeds in child processes give the report one process gives, in seed order; --only-seed gives that seed's run", async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx-jobs'), 40, 20);
    const base = { task: 'digits', steps: 3, seeds: 3, count: 40, backend: 'wasm', data };
    const read = async (out: string) => JSON.parse(await readFile(out, 'utf8'));
    await readBackCommand({ ...base, out: join(dir.path, 'one.json') });
    await readBackCommand({ ...base, out: join(dir.path, 'jobs.json'), jobs: 2, cliScript: studyCli });
    await readBackCommand({ ...base, out: join(dir.path, 'seed2.json'), onlySeed: 2 });
    const [one, jobs, seed2] = await Promise.all(['one', 'jobs', 'seed2'].map((n) => read(join(dir.path, `${n}.json`))));
    expect(jobs.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2, 3]);
    const { command: oneCommand, ...oneRest } = one;
    const { command: jobsCommand, ...jobsRest } = jobs;
    expect(jobsRest).toEqual(oneRest);
    expect(jobsCommand).toBe(`${oneCommand} --jobs 2`);
    expect(seed2.runs).toEqual([one.runs[1]]);
    expect(seed2.command).toBe(oneCommand.replace('--seeds 3', '--seeds 3 --only-seed 2'));
    await expect(readBackCommand({ ...base, out: join(dir.path, 'x.json'), onlySeed: 4 })).rejects.toThrow(
      /--only-seed: expected an integer in \[1, 3\], got 4/,
    );
  }, 120_000);

  it('resumes: the seeds already in --out are kept, not run again, and the report covers them all; other settings are refused', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx-resume'), 40, 20);
    const out = join(dir.path, 'resume.json');
    const base = { task: 'digits', steps: 2, count: 30, backend: 'wasm', data, out };
    await readBackCommand({ ...base, seeds: 1 });
    // A mark no run gives, so a seed run again would show.
    const first = JSON.parse(await readFile(out, 'utf8'));
    first.runs[0].accuracy = 0.5;
    await writeFile(out, JSON.stringify(first));
    const logs = vi.mocked(console.log);
    logs.mockClear();
    await readBackCommand({ ...base, seeds: 3, jobs: 2, cliScript: studyCli });
    expect(logs).toHaveBeenCalledWith(`1 finished seed(s) found in ${out}: skipped (another --out runs them again)`);
    const lines = logs.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[seed '));
    expect(lines.map((l) => l.slice(0, 8)).sort()).toEqual(['[seed 2]', '[seed 3]']);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2, 3]);
    expect(report.runs[0].accuracy).toBe(0.5);
    expect(report.meanAccuracy).toBe(+((0.5 + report.runs[1].accuracy + report.runs[2].accuracy) / 3).toFixed(4));
    expect(report.command).toBe(`npm run study -- read-back digits --steps 2 --seeds 3 --count 30 --data ${data} --jobs 2`);
    // The runs a fresh report gives, seed by seed.
    await readBackCommand({ ...base, seeds: 3, out: join(dir.path, 'fresh.json') });
    const fresh = JSON.parse(await readFile(join(dir.path, 'fresh.json'), 'utf8'));
    expect(report.runs.slice(1)).toEqual(fresh.runs.slice(1));
    // Nothing to run: the file is left as it was.
    const text = await readFile(out, 'utf8');
    logs.mockClear();
    await readBackCommand({ ...base, seeds: 2 });
    expect(logs).toHaveBeenCalledWith(`${out}: nothing to run, left as it was`);
    expect(await readFile(out, 'utf8')).toBe(text);
    // Nor is the data read then: a report whose data folder is gone (never read by this process) resumes with nothing to run.
    const gone = join(dir.path, 'idx-gone');
    const goneOut = join(dir.path, 'resume-gone.json');
    await writeFile(goneOut, JSON.stringify({ ...report, data: gone }));
    await readBackCommand({ ...base, data: gone, out: goneOut, seeds: 3 });
    expect(logs).toHaveBeenCalledWith(`${goneOut}: nothing to run, left as it was`);
    await expect(readBackCommand({ ...base, data: gone, out: goneOut, seeds: 4 })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: expect.stringContaining(gone),
    });
    // Other settings, or a file that is no report, are refused, naming the file and the setting.
    await expect(readBackCommand({ ...base, seeds: 3, steps: 3 })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: `${out}: holds runs of 2 steps, not of 3 steps: choose another --out`,
    });
    await expect(readBackCommand({ ...base, seeds: 3, count: 20 })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: `${out}: holds runs reading 30 generated images, not reading 20 generated images: choose another --out`,
    });
    await expect(readBackCommand({ ...base, seeds: 3, task: 'fashion' })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: `${out}: holds runs of the task 'digits', not of the task 'fashion': choose another --out`,
    });
    await expect(readBackCommand({ ...base, seeds: 3, params: { centre: 14 } })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: `${out}: holds runs with the default parameters, not with params {"centre":14}: choose another --out`,
    });
    expect(await readFile(out, 'utf8')).toBe(text);
    const notReport = join(dir.path, 'not-a-report.json');
    await writeFile(notReport, '{"runs": [{"seed": 1}]}');
    await expect(readBackCommand({ ...base, seeds: 1, out: notReport })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: `${notReport}: is not a read-back report (no runs array of seeds and their results); move it away or choose another --out`,
    });
  }, 120_000);

  it('an abort (Ctrl-C) drops the seed under way and keeps those that finished, exit code 130', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx-abort'), 40, 20);
    const out = join(dir.path, 'abort.json');
    const ctl = new AbortController();
    // Aborts as seed 1 reports its accuracy, as a Ctrl-C would then: seed 2 does not run.
    const logs = vi.mocked(console.log);
    logs.mockImplementation((line: unknown) => {
      if (String(line).startsWith('  seed 1: real test accuracy')) ctl.abort();
    });
    try {
      await readBackCommand({ task: 'digits', steps: 2, seeds: 3, count: 30, backend: 'wasm', data, out, signal: ctl.signal });
      expect(process.exitCode).toBe(130);
      expect(logs).toHaveBeenCalledWith('interrupted: run the same command again to resume');
    } finally {
      logs.mockImplementation(() => {});
      process.exitCode = undefined;
    }
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.runs.map((r: { seed: number }) => r.seed)).toEqual([1]);
  }, 60_000);

  it('refuses an unknown task, or one that is not of 10 classes, naming it, before loading anything', async () => {
    const base = { steps: 2, seeds: 1, count: 10, out: join(dir.path, 'x.json'), backend: 'wasm', data: '/nonexistent' };
    await expect(readBackCommand({ ...base, task: 'socks' })).rejects.toThrow(/socks/);
    await expect(readBackCommand({ ...base, task: 'pixel-count' })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT',
      message:
        "<task>: read-back reads 10 classes (MNIST's digits, or the --data's): expected a task with 10 classes, such as digits or fashion, got 'pixel-count'",
    });
  });
});
