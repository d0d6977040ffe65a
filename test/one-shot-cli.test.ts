import '@tensorflow/tfjs-backend-wasm';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { oneShotCommand } from '../benchmarks/study/cli/one-shot.js';
import { studyCli, commandTestDir, recordingCli, writeIdxDataset } from './helpers.js';

const dir = commandTestDir('otfgen-one-shot-cli-');

describe('otfgen one-shot', () => {
  it('--jobs: seeds in child processes give the same rows as one process, in the same order', async () => {
    // Off their defaults where cheap (batch size, steps, images per class), so a child that missed one would differ.
    const base = {
      methods: ['exemplars-ramp', 'exemplars-thick'],
      seeds: 3,
      steps: 3,
      batchSize: 8,
      perClass: 2,
      baseline: 'exemplars-thick',
      backend: 'wasm',
    };
    const listeners = process.listenerCount('SIGINT');
    await oneShotCommand({ ...base, out: join(dir.path, 'one') });
    const log = vi.mocked(console.log);
    log.mockClear();
    await oneShotCommand({ ...base, out: join(dir.path, 'jobs'), jobs: 2, cliScript: studyCli });
    // The Ctrl-C handlers of both are gone once they end.
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    // The children's run lines are printed with their seed; their headers and tables, once per seed, are not.
    const childLines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[seed '));
    expect(childLines).toHaveLength(6);
    for (const l of childLines) expect(l).toMatch(/^\[seed ([123])\] {3}exemplars-(ramp|thick) seed \1: accuracy /);
    const one = JSON.parse(await readFile(join(dir.path, 'one', 'results.json'), 'utf8'));
    const jobs = JSON.parse(await readFile(join(dir.path, 'jobs', 'results.json'), 'utf8'));
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(jobs.rows.map((r: { seed: number; method: string }) => `${r.seed} ${r.method}`)).toEqual([
      '1 exemplars-ramp',
      '1 exemplars-thick',
      '2 exemplars-ramp',
      '2 exemplars-thick',
      '3 exemplars-ramp',
      '3 exemplars-thick',
    ]);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    expect(jobs.config).toEqual({ ...one.config, out: join(dir.path, 'jobs') });
    await expect(readFile(join(dir.path, 'jobs', 'accuracy.svg'), 'utf8')).resolves.toContain('<svg');
  }, 120_000);

  it('--no-plots writes results.json alone; the --jobs children run with it, and the parent draws the charts of all the seeds', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx-plots'), 40, 20);
    const base = { methods: ['exemplars', 'exemplars-strength'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm', data };
    await oneShotCommand({ ...base, out: join(dir.path, 'no-plots'), plots: false });
    expect(await readdir(join(dir.path, 'no-plots'))).toEqual(['results.json']);
    const cli = await recordingCli(dir.path);
    await oneShotCommand({ ...base, out: join(dir.path, 'plots-jobs'), jobs: 2, cliScript: cli.script });
    const calls = await cli.calls();
    expect(calls.map((args) => args[args.indexOf('--only-seed') + 1]).sort()).toEqual(['1', '2']);
    for (const args of calls) expect(args).toContain('--no-plots');
    expect((await readdir(join(dir.path, 'plots-jobs'))).sort()).toEqual(['accuracy.png', 'accuracy.svg', 'controls.png', 'controls.svg', 'results.json']);
  }, 120_000);

  it('--data: exemplars from and tests on the IDX files of that folder, in child processes too; recorded in the results', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx'), 40, 30);
    const base = { methods: ['exemplars-fashion', 'fashion'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm', data };
    await oneShotCommand({ ...base, out: join(dir.path, 'data-one') });
    await oneShotCommand({ ...base, out: join(dir.path, 'data-jobs'), jobs: 2, cliScript: studyCli });
    const one = JSON.parse(await readFile(join(dir.path, 'data-one', 'results.json'), 'utf8'));
    const jobs = JSON.parse(await readFile(join(dir.path, 'data-jobs', 'results.json'), 'utf8'));
    expect(one.config.data).toBe(data);
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    // Accuracy over the folder's 30 test images is a multiple of 1/30 (MNIST's would be of 1/10,000).
    for (const r of one.rows) expect(Math.abs(r.finalAccuracy * 30 - Math.round(r.finalAccuracy * 30))).toBeLessThan(1e-9);
    // A folder without the files fails before any process starts.
    await expect(
      oneShotCommand({ ...base, data: join(dir.path, 'nothing'), out: join(dir.path, 'x'), jobs: 2, cliScript: '/nonexistent/cli.js' }),
    ).rejects.toMatchObject({ code: 'ERR_FILE' });
  }, 120_000);

  it('--params: set under the methods built on a procedural task, in child processes too; recorded in the results', async () => {
    const base = { methods: ['exemplars-digits', 'exemplars'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm' };
    const params = { centre: 14, strokeWidth: [1.5, 2.5] };
    await oneShotCommand({ ...base, params, out: join(dir.path, 'params-one') });
    await oneShotCommand({ ...base, params, out: join(dir.path, 'params-jobs'), jobs: 2, cliScript: studyCli });
    await oneShotCommand({ ...base, out: join(dir.path, 'params-none') });
    const [one, jobs, none] = await Promise.all(
      ['params-one', 'params-jobs', 'params-none'].map(async (d) => JSON.parse(await readFile(join(dir.path, d, 'results.json'), 'utf8'))),
    );
    expect(one.config.params).toEqual(params);
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    // Other digits, so another model after two steps; the exemplars alone are as without.
    for (let i = 0; i < one.rows.length; i++) {
      if (one.rows[i].method === 'exemplars') expect(one.rows[i].finalLoss).toBe(none.rows[i].finalLoss);
      else expect(one.rows[i].finalLoss).not.toBe(none.rows[i].finalLoss);
    }
  }, 120_000);

  it('--only-seed runs that seed alone', async () => {
    await oneShotCommand({ methods: ['exemplars'], seeds: 3, onlySeed: 2, steps: 2, batchSize: 8, backend: 'wasm', out: join(dir.path, 'only') });
    const r = JSON.parse(await readFile(join(dir.path, 'only', 'results.json'), 'utf8'));
    expect(r.rows.map((x: { seed: number }) => x.seed)).toEqual([2]);
  }, 60_000);

  it('resumes: runs only what results.json lacks (in one process or in children), keeps what it has, tabulates only the methods asked for, and refuses a file made with other settings', async () => {
    const data = await writeIdxDataset(join(dir.path, 'resume-idx'), 40, 30);
    const out = join(dir.path, 'resume');
    const base = { steps: 2, batchSize: 8, backend: 'wasm', data, out };
    const saved = async () => JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { rows: { method: string; seed: number; wallMs: number }[] };
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    const log = vi.mocked(console.log);
    await oneShotCommand({ ...base, methods: ['exemplars'], seeds: 1 });
    const first = (await saved()).rows;
    log.mockClear();
    await oneShotCommand({ ...base, methods: ['exemplars', 'exemplars-wide'], seeds: 2 });
    expect(log.mock.calls.map((c) => String(c[0]))).toContain(`1 finished run(s) found in ${out}/results.json: skipped`);
    const two = (await saved()).rows;
    expect(two.map((r) => `${r.method}/${r.seed}`)).toEqual(['exemplars/1', 'exemplars-wide/1', 'exemplars/2', 'exemplars-wide/2']);
    expect(two[0]).toEqual(first[0]);
    // The same rows as a run from scratch.
    await oneShotCommand({ ...base, methods: ['exemplars', 'exemplars-wide'], seeds: 3, out: join(dir.path, 'resume-fresh') });
    const fresh = JSON.parse(await readFile(join(dir.path, 'resume-fresh', 'results.json'), 'utf8')).rows;
    expect(withoutTime(two)).toEqual(withoutTime(fresh.slice(0, 4)));
    // A third seed in a child process; the rows before are kept as they were.
    await oneShotCommand({ ...base, methods: ['exemplars', 'exemplars-wide'], seeds: 3, jobs: 2, cliScript: studyCli });
    const three = (await saved()).rows;
    expect(three.slice(0, 4)).toEqual(two);
    expect(withoutTime(three)).toEqual(withoutTime(fresh));
    // Fewer methods: nothing to run, and the table leaves out the others' rows (results.json keeps them).
    log.mockClear();
    await oneShotCommand({ ...base, methods: ['exemplars'], seeds: 3 });
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(lines).toContain(`3 finished run(s) found in ${out}/results.json: skipped`);
    const table = lines.find((l) => l.includes('real-test accuracy (mean)'))!;
    expect(table).toMatch(/\| exemplars +\| 3 +\|/);
    expect(table).not.toContain('exemplars-wide');
    expect((await saved()).rows).toHaveLength(6);
    // Other settings: refused, naming the file and both.
    await expect(oneShotCommand({ ...base, methods: ['exemplars'], seeds: 3, steps: 3 })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: expect.stringContaining(`${out}/results.json: holds runs of 2 steps, not of 3 steps: choose another --out`),
    });
    await expect(oneShotCommand({ ...base, methods: ['exemplars'], seeds: 3, perClass: 2, jobs: 2, cliScript: studyCli })).rejects.toThrow(
      /holds runs with 1 real image\(s\) per class, not with 2 real image\(s\) per class/,
    );
  }, 120_000);

  it('checks the methods and the baseline before starting any process', async () => {
    await expect(
      oneShotCommand({
        methods: ['exemplars'],
        seeds: 2,
        steps: 2,
        batchSize: 8,
        baseline: 'exemplars-wide',
        backend: 'wasm',
        out: join(dir.path, 'b'),
        jobs: 2,
        cliScript: '/nonexistent/cli.js',
      }),
    ).rejects.toThrow(/one-shot baseline: expected one of the methods run \(exemplars\), got "exemplars-wide"/);
    await expect(
      oneShotCommand({
        methods: ['pixel-count'],
        seeds: 2,
        steps: 2,
        batchSize: 8,
        backend: 'wasm',
        out: join(dir.path, 'b'),
        jobs: 2,
        cliScript: '/nonexistent/cli.js',
      }),
    ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TASK' });
  });
});
