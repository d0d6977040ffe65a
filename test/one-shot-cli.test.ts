import '@tensorflow/tfjs-backend-wasm';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { oneShotCommand } from '../src/cli/one-shot.js';

// --jobs runs the built CLI in child processes (npm ci builds it through `prepare`).
const cliScript = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otfgen-one-shot-cli-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('otfgen one-shot', () => {
  it('--jobs: seeds in child processes give the same rows as one process, in the same order', async () => {
    // Off their defaults where cheap (batch size, steps, images per class), so a child that missed one would differ.
    const base = { methods: ['exemplars-ramp', 'exemplars-thick'], seeds: 3, steps: 3, batchSize: 8, perClass: 2, baseline: 'exemplars-thick', backend: 'wasm' };
    await oneShotCommand({ ...base, out: join(dir, 'one') });
    await oneShotCommand({ ...base, out: join(dir, 'jobs'), jobs: 2, cliScript });
    const one = JSON.parse(await readFile(join(dir, 'one', 'results.json'), 'utf8'));
    const jobs = JSON.parse(await readFile(join(dir, 'jobs', 'results.json'), 'utf8'));
    const withoutTime = (rows: { wallMs?: number }[]) => rows.map(({ wallMs: _, ...r }) => r);
    expect(jobs.rows.map((r: { seed: number; method: string }) => `${r.seed} ${r.method}`)).toEqual(['1 exemplars-ramp', '1 exemplars-thick', '2 exemplars-ramp', '2 exemplars-thick', '3 exemplars-ramp', '3 exemplars-thick']);
    expect(withoutTime(jobs.rows)).toEqual(withoutTime(one.rows));
    expect(jobs.config).toEqual({ ...one.config, out: join(dir, 'jobs') });
    await expect(readFile(join(dir, 'jobs', 'accuracy.svg'), 'utf8')).resolves.toContain('<svg');
  }, 120_000);

  it('--only-seed runs that seed alone', async () => {
    await oneShotCommand({ methods: ['exemplars'], seeds: 3, onlySeed: 2, steps: 2, batchSize: 8, backend: 'wasm', out: join(dir, 'only') });
    const r = JSON.parse(await readFile(join(dir, 'only', 'results.json'), 'utf8'));
    expect(r.rows.map((x: { seed: number }) => x.seed)).toEqual([2]);
  }, 60_000);

  it('checks the methods and the baseline before starting any process', async () => {
    await expect(oneShotCommand({ methods: ['exemplars'], seeds: 2, steps: 2, batchSize: 8, baseline: 'exemplars-wide', backend: 'wasm', out: join(dir, 'b'), jobs: 2, cliScript: '/nonexistent/cli.js' })).rejects.toThrow(
      /one-shot baseline: expected one of the methods run \(exemplars\), got "exemplars-wide"/,
    );
    await expect(oneShotCommand({ methods: ['digits'], seeds: 2, steps: 2, batchSize: 8, backend: 'wasm', out: join(dir, 'b'), jobs: 2, cliScript: '/nonexistent/cli.js' })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TASK' });
  });
});
