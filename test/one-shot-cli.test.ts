import '@tensorflow/tfjs-backend-wasm';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { oneShotCommand } from '../src/cli/one-shot.js';
import { mkdir } from 'node:fs/promises';
import { builtCli, commandTestDir, writeIdxDataset } from './helpers.js';

const dir = commandTestDir('otfgen-one-shot-cli-');

describe('otfgen one-shot', () => {
  it('--jobs: seeds in child processes give the same rows as one process, in the same order', async () => {
    // Off their defaults where cheap (batch size, steps, images per class), so a child that missed one would differ.
    const base = { methods: ['exemplars-ramp', 'exemplars-thick'], seeds: 3, steps: 3, batchSize: 8, perClass: 2, baseline: 'exemplars-thick', backend: 'wasm' };
    await oneShotCommand({ ...base, out: join(dir.path, 'one') });
    const log = vi.mocked(console.log);
    log.mockClear();
    await oneShotCommand({ ...base, out: join(dir.path, 'jobs'), jobs: 2, cliScript: builtCli });
    // The children's run lines are printed with their seed; their headers and tables, once per seed, are not.
    const childLines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('[seed '));
    expect(childLines).toHaveLength(6);
    for (const l of childLines) expect(l).toMatch(/^\[seed ([123])\] {3}exemplars-(ramp|thick) seed \1: accuracy /);
    const one = JSON.parse(await readFile(join(dir.path, 'one', 'results.json'), 'utf8'));
    const jobs = JSON.parse(await readFile(join(dir.path, 'jobs', 'results.json'), 'utf8'));
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(jobs.rows.map((r: { seed: number; method: string }) => `${r.seed} ${r.method}`)).toEqual(['1 exemplars-ramp', '1 exemplars-thick', '2 exemplars-ramp', '2 exemplars-thick', '3 exemplars-ramp', '3 exemplars-thick']);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    expect(jobs.config).toEqual({ ...one.config, out: join(dir.path, 'jobs') });
    await expect(readFile(join(dir.path, 'jobs', 'accuracy.svg'), 'utf8')).resolves.toContain('<svg');
  }, 120_000);

  it('--data: exemplars from and tests on the IDX files of that folder, in child processes too; recorded in the results', async () => {
    const data = join(dir.path, 'idx');
    await mkdir(data);
    await writeIdxDataset(data, 40, 30);
    const base = { methods: ['exemplars-fashion', 'fashion'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm', data };
    await oneShotCommand({ ...base, out: join(dir.path, 'data-one') });
    await oneShotCommand({ ...base, out: join(dir.path, 'data-jobs'), jobs: 2, cliScript: builtCli });
    const one = JSON.parse(await readFile(join(dir.path, 'data-one', 'results.json'), 'utf8'));
    const jobs = JSON.parse(await readFile(join(dir.path, 'data-jobs', 'results.json'), 'utf8'));
    expect(one.config.data).toBe(data);
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    // Accuracy over the folder's 30 test images is a multiple of 1/30 (MNIST's would be of 1/10,000).
    for (const r of one.rows) expect(Math.abs(r.finalAccuracy * 30 - Math.round(r.finalAccuracy * 30))).toBeLessThan(1e-9);
    // A folder without the files fails before any process starts.
    await expect(oneShotCommand({ ...base, data: join(dir.path, 'nothing'), out: join(dir.path, 'x'), jobs: 2, cliScript: '/nonexistent/cli.js' })).rejects.toMatchObject({ code: 'ERR_FILE' });
  }, 120_000);

  it('--params: set under the methods built on a procedural task, in child processes too; recorded in the results', async () => {
    const base = { methods: ['exemplars-digits', 'exemplars'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm' };
    const params = { centre: 14, strokeWidth: [1.5, 2.5] };
    await oneShotCommand({ ...base, params, out: join(dir.path, 'params-one') });
    await oneShotCommand({ ...base, params, out: join(dir.path, 'params-jobs'), jobs: 2, cliScript: builtCli });
    await oneShotCommand({ ...base, out: join(dir.path, 'params-none') });
    const [one, jobs, none] = await Promise.all(['params-one', 'params-jobs', 'params-none'].map(async (d) => JSON.parse(await readFile(join(dir.path, d, 'results.json'), 'utf8'))));
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

  it('checks the methods and the baseline before starting any process', async () => {
    await expect(oneShotCommand({ methods: ['exemplars'], seeds: 2, steps: 2, batchSize: 8, baseline: 'exemplars-wide', backend: 'wasm', out: join(dir.path, 'b'), jobs: 2, cliScript: '/nonexistent/cli.js' })).rejects.toThrow(
      /one-shot baseline: expected one of the methods run \(exemplars\), got "exemplars-wide"/,
    );
    await expect(oneShotCommand({ methods: ['pixel-count'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm', out: join(dir.path, 'b'), jobs: 2, cliScript: '/nonexistent/cli.js' })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TASK' });
  });
});
