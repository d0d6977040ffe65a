import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { OtfgenUnknownTaskError } from '../src/index.js';
import { dataMultiplier, fitPowerLaw, powerLaw } from '../benchmarks/study/scaling.js';
import { BASELINE, checkSweepConfig, plannedRuns, subsetOf, threshold, type SweepRow } from '../src/harness/sweep.js';
import { mnist } from '../src/node/index.js';
import { SOURCES } from '../benchmarks/study/sources.js';
import { studyCli, recordingCli, writeIdxDataset } from './helpers.js';

const row = (task: string, share: number, seed: number, acc: number): SweepRow => ({
  task,
  share,
  seed,
  totalSteps: 500,
  batchSize: 64,
  finalAccuracy: acc,
  finalLoss: 0,
  wallMs: 0,
  dataMs: 0,
  computeMs: 0,
  backend: 'wasm',
});

/** Runs `fn` with a temporary folder of small IDX files (40 training, 30 test images), an `out` folder in it, and console.log muted. */
async function inDataFolder(
  prefix: string,
  fn: (f: {
    sweepCommand: typeof import('../benchmarks/study/cli/sweep.js').sweepCommand;
    dir: string;
    out: string;
    log: { mock: { calls: unknown[][] }; mockClear(): void };
  }) => Promise<void>,
): Promise<void> {
  const { sweepCommand } = await import('../benchmarks/study/cli/sweep.js');
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await writeIdxDataset(dir, 40, 30);
    await fn({ sweepCommand, dir, out: join(dir, 'out'), log });
  } finally {
    log.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('sweeps', () => {
  it('plans the baseline once per seed (and per real-image count), then every task and share', () => {
    const runs = plannedRuns({ tasks: ['pixel-count', 'digits'], shares: [0, 0.5], seeds: 2, totalSteps: 10, batchSize: 8, realImages: [100, 1000] });
    expect(runs.length).toBe(2 * 2 * 3);
    expect(runs.filter((r) => r.task === BASELINE).map((r) => [r.seed, r.realImages])).toEqual([
      [1, 100],
      [1, 1000],
      [2, 100],
      [2, 1000],
    ]);
  });

  it('the threshold is the largest share within 1 point of the baseline mean', () => {
    const rows = [
      row(BASELINE, 0, 1, 0.96),
      row(BASELINE, 0, 2, 0.97),
      row('t', 0.3, 1, 0.96),
      row('t', 0.3, 2, 0.955),
      row('t', 0.5, 1, 0.95),
      row('t', 0.5, 2, 0.949),
      row('t', 0.7, 1, 0.958),
    ];
    // Baseline 0.965: 0.3 (0.9575) is within, 0.5 (0.9495) is not, 0.7 (0.958) is.
    expect(threshold(rows, 't')).toBe(0.7);
    expect(threshold(rows.slice(2), 't')).toBe(null);
  });

  it('rejects unknown tasks and bad shares', () => {
    expect(() => checkSweepConfig({ tasks: ['nope'], shares: [0], seeds: 1, totalSteps: 1, batchSize: 1 }, SOURCES)).toThrow(OtfgenUnknownTaskError);
    expect(() => checkSweepConfig({ tasks: ['nope'], shares: [0], seeds: 1, totalSteps: 1, batchSize: 1 }, SOURCES)).toThrow(
      /unknown warm-up task 'nope'; known warm-up tasks: pixel-count, digits,/,
    );
    expect(() => checkSweepConfig({ tasks: ['digits'], shares: [1.2], seeds: 1, totalSteps: 1, batchSize: 1 }, SOURCES)).toThrow(/shares\[0\]/);
  });

  it('the sweep command rejects a bad share before it selects a backend or prints anything', async () => {
    const { sweepCommand } = await import('../benchmarks/study/cli/sweep.js');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await expect(
        sweepCommand({
          tasks: ['pixel-count'],
          shares: [0, 1.5],
          seeds: 1,
          totalSteps: 1,
          batchSize: 1,
          out: '/nonexistent/never-made',
          backend: 'no-such-backend',
        }),
      ).rejects.toThrow(/sweep shares\[1\]: expected a number in \[0, 1\], got 1.5/);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('a real-image subset is seeded, distinct and keeps images with their labels', async () => {
    const test = await mnist({ split: 'test' });
    const a = subsetOf(test, 500, 1);
    expect(a.count).toBe(500);
    expect(subsetOf(test, 500, 1).x).toEqual(a.x);
    expect(subsetOf(test, 500, 2).y).not.toEqual(a.y);
    // Each chosen image appears in the full set with the same label.
    const find = (img: Uint8Array) => {
      for (let i = 0; i < test.count; i++) if (test.x.subarray(i * 784, (i + 1) * 784).every((v, k) => v === img[k])) return i;
      return -1;
    };
    for (const k of [0, 250, 499]) expect(test.y[find(a.x.subarray(k * 784, (k + 1) * 784))]).toBe(a.y[k]);
    expect(subsetOf(test, 20_000, 1)).toBe(test);
  });
});

describe('scaling fits', () => {
  it('recovers a power law with an offset, and measures the data multiplier', async () => {
    const ns = [100, 300, 1000, 3000, 10000, 60000];
    const truth = { a: 2, b: 0.5, c: 0.01, rmse: 0 };
    const fit = await fitPowerLaw(
      ns,
      ns.map((n) => powerLaw(truth, n)),
    );
    expect(fit.a).toBeCloseTo(2, 1);
    expect(fit.b).toBeCloseTo(0.5, 2);
    expect(fit.c).toBeCloseTo(0.01, 3);
    // A warm-up that makes 1000 images as good as 3000 without it is worth 3x.
    expect(dataMultiplier(truth, powerLaw(truth, 3000), 1000)).toBeCloseTo(3, 5);
    expect(dataMultiplier(truth, 0.005, 1000)).toBe(Infinity);
  });

  it('names the warm-up arm by task and share, and by the blend when it is not a switch', async () => {
    const { warmupLabel } = await import('../benchmarks/study/scaling.js');
    expect(warmupLabel('digits', 0.3)).toBe('digits warm-up 30%');
    expect(warmupLabel('digits', 0.3, 'switch')).toBe('digits warm-up 30%');
    expect(warmupLabel('digits-fitted', 0.9, 'linear')).toBe('digits-fitted warm-up 90%, linear blend');
  });
});

describe('runSweep', () => {
  it('keeps finished runs in results.json and resumes with only the missing ones', async () => {
    const { runSweep } = await import('../src/harness/sweep.js');
    const { selectBackend } = await import('../src/node/index.js');
    await import('@tensorflow/tfjs-layers');
    await selectBackend({ backend: 'wasm' });
    const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const dir = await mkdtemp(join(tmpdir(), 'otfgen-sweep-'));
    try {
      const config = { tasks: ['pixel-count'], shares: [0, 0.5], seeds: 1, totalSteps: 4, batchSize: 8, evalLimit: 200 };
      const ran: string[] = [];
      const onRun = (r: SweepRow) => ran.push(`${r.task}/${r.share}/${r.seed}`);
      await runSweep(config, { sources: SOURCES, baseline: SOURCES['pixel-count'], train, test, outDir: dir, backend: 'wasm', onRun });
      expect(ran).toEqual(['baseline/0/1', 'pixel-count/0.5/1']);
      ran.length = 0;
      const results = await runSweep(
        { ...config, seeds: 2 },
        { sources: SOURCES, baseline: SOURCES['pixel-count'], train, test, outDir: dir, backend: 'wasm', onRun },
      );
      expect(ran).toEqual(['baseline/0/2', 'pixel-count/0.5/2']);
      expect(results.rows.length).toBe(4);
      const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
      expect(saved.rows.map((r: SweepRow) => r.seed)).toEqual([1, 1, 2, 2]);
      // An interrupted sweep keeps what finished and drops the run under way.
      const ctl = new AbortController();
      ctl.abort();
      const none = await runSweep(
        { ...config, seeds: 3 },
        { sources: SOURCES, baseline: SOURCES['pixel-count'], train, test, outDir: dir, backend: 'wasm', signal: ctl.signal, onRun },
      );
      expect(none.rows.length).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('otfgen sweep --data', () => {
  it('trains and tests on the IDX files of that folder, records it, and will not resume runs on other data', async () => {
    await inDataFolder('otfgen-sweep-data-', async ({ sweepCommand, dir, out }) => {
      const config = { tasks: ['fashion'], shares: [0, 0.5], seeds: 1, totalSteps: 2, batchSize: 8, out, backend: 'wasm' };
      await sweepCommand({ ...config, data: dir });
      const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
      expect(saved.config.data).toBe(dir);
      expect(saved.rows.map((r: SweepRow) => `${r.task}/${r.share}`)).toEqual(['baseline/0', 'fashion/0.5']);
      // Resuming with MNIST (no --data) into the same folder is refused, naming the file and both datasets.
      await expect(sweepCommand(config)).rejects.toMatchObject({
        code: 'ERR_FILE',
        message: expect.stringContaining(`results.json: holds runs on the data in ${dir}, not on MNIST: choose another --out`),
      });
    });
  }, 60_000);

  it('a data folder must be named', () => {
    expect(() => checkSweepConfig({ tasks: ['digits'], shares: [0], seeds: 1, totalSteps: 1, batchSize: 1, data: '' }, SOURCES)).toThrow(
      /sweep data: expected a folder name, got ""/,
    );
  });
});

describe('otfgen sweep and scaling --jobs', () => {
  const withoutTime = (rows: SweepRow[]) => rows.map(({ wallMs: _w, dataMs: _d, computeMs: _c, ...r }) => r);
  const saved = async (out: string) => JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { config: Record<string, unknown>; rows: SweepRow[] };

  it('seeds in child processes give the same rows as one process, in the same order; a resumed sweep runs only the missing seeds and keeps the rows it had', async () => {
    await inDataFolder('otfgen-sweep-jobs-', async ({ sweepCommand, dir, out, log }) => {
      // Off the defaults where cheap (blend, evaluation limit, params), so a child that missed one would differ.
      const config = {
        tasks: ['digits', 'exemplars'],
        shares: [0, 0.5],
        seeds: 2,
        totalSteps: 3,
        batchSize: 8,
        blend: 'linear' as const,
        evalLimit: 20,
        params: { centre: 14 },
        backend: 'wasm',
        data: dir,
      };
      const listeners = process.listenerCount('SIGINT');
      await sweepCommand({ ...config, seeds: 3, out: join(dir, 'one'), plots: false });
      expect((await readdir(join(dir, 'one'))).sort()).toEqual(['results.csv', 'results.json']);
      await sweepCommand({ ...config, out, jobs: 2, cliScript: studyCli });
      expect((await readdir(out)).filter((f) => f.endsWith('.svg')).sort()).toEqual(['accuracy-vs-share.svg', 'loss-vs-share.svg', 'time-vs-share.svg']);
      // The Ctrl-C handlers of both are gone once they end.
      expect(process.listenerCount('SIGINT')).toBe(listeners);
      const two = await saved(out);
      expect(two.rows.map((r) => `${r.task}/${r.seed}`)).toEqual(['baseline/1', 'digits/1', 'exemplars/1', 'baseline/2', 'digits/2', 'exemplars/2']);
      const one = await saved(join(dir, 'one'));
      expect(withoutTime(two.rows)).toEqual(withoutTime(one.rows.slice(0, 6)));
      expect(two.config).toEqual({ ...config, out });
      // A third seed: only its runs, in a child, after the rows kept as they were (times too).
      log.mockClear();
      await sweepCommand({ ...config, seeds: 3, out, jobs: 2, cliScript: studyCli });
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines).toContain(`6 finished run(s) found in ${out}/results.json: skipped`);
      expect(lines.filter((l) => l.startsWith('[seed '))).toEqual([
        expect.stringMatching(/^\[seed 3\] {3}baseline share 0 seed 3: accuracy /),
        expect.stringMatching(/^\[seed 3\] {3}digits share 0.5 seed 3: accuracy /),
        expect.stringMatching(/^\[seed 3\] {3}exemplars share 0.5 seed 3: accuracy /),
      ]);
      const three = await saved(out);
      expect(three.rows.slice(0, 6)).toEqual(two.rows);
      expect(withoutTime(three.rows)).toEqual(withoutTime(one.rows));
    });
  }, 120_000);

  it('scaling: the same rows as one process; a child that fails is named, and what the others saved is kept', async () => {
    await inDataFolder('otfgen-scaling-jobs-', async ({ dir, out }) => {
      const { scalingCommand } = await import('../benchmarks/study/cli/sweep.js');
      const config = {
        tasks: ['digits'],
        share: 0.5,
        shares: [0, 0.5],
        realImages: [10, 20, 40],
        seeds: 2,
        totalSteps: 2,
        batchSize: 8,
        backend: 'wasm',
        data: dir,
      };
      // Without charts, one process writes the results files alone.
      await scalingCommand({ ...config, out: join(dir, 'one'), plots: false });
      expect((await readdir(join(dir, 'one'))).sort()).toEqual(['results.csv', 'results.json', 'scaling.json']);
      // The children draw none (their folders are temporary); the parent draws the chart of all the seeds.
      const cli = await recordingCli(dir);
      await scalingCommand({ ...config, out, jobs: 2, cliScript: cli.script });
      const calls = await cli.calls();
      expect(calls).toHaveLength(2);
      for (const args of calls) expect(args).toEqual(expect.arrayContaining(['scaling', '--no-plots']));
      expect((await readdir(out)).sort()).toEqual(['results.csv', 'results.json', 'scaling.json', 'scaling.png', 'scaling.svg']);
      expect(withoutTime((await saved(out)).rows)).toEqual(withoutTime((await saved(join(dir, 'one'))).rows));
      await expect(readFile(join(out, 'scaling.json'), 'utf8')).resolves.toContain('multipliers');
      // A child that fails is named, and what the others finished is kept: seed 3's child waits until seed 2's has saved its 6 runs, then fails.
      const failing = join(dir, 'failing');
      await scalingCommand({ ...config, seeds: 1, out: failing });
      const wrapper = join(dir, 'cli-failing-seed-3.mjs');
      await writeFile(
        wrapper,
        `const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
if (arg('--only-seed') === '3') {
  const { readFileSync, existsSync } = await import('node:fs');
  const other = arg('--out').replace(/seed-3$/, 'seed-2') + '/results.json';
  while (!(existsSync(other) && JSON.parse(readFileSync(other, 'utf8')).rows.length === 6)) await new Promise((r) => setTimeout(r, 50));
  console.error('seed 3 fails on purpose');
  process.exit(3);
}
await import(${JSON.stringify(pathToFileURL(studyCli).href)});
`,
      );
      await expect(scalingCommand({ ...config, seeds: 3, out: failing, jobs: 2, cliScript: wrapper })).rejects.toMatchObject({
        code: 'ERR_RUN',
        message: expect.stringMatching(/^scaling: the process of seed 3 failed \(exit code 3\)/),
      });
      const kept = await saved(failing);
      expect(kept.rows.map((r) => r.seed)).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
      expect(withoutTime(kept.rows)).toEqual(withoutTime((await saved(out)).rows));
    });
  }, 120_000);

  it('--only-seed must be one of the seeds', () => {
    expect(() => checkSweepConfig({ tasks: ['digits'], shares: [0], seeds: 2, onlySeed: 3, totalSteps: 1, batchSize: 1 }, SOURCES)).toThrow(
      /sweep onlySeed: expected an integer in \[1, 2\], got 3/,
    );
    expect(plannedRuns({ tasks: ['digits'], shares: [0, 0.5], seeds: 3, onlySeed: 2, totalSteps: 1, batchSize: 1 }).map((p) => `${p.task}/${p.seed}`)).toEqual([
      'baseline/2',
      'digits/2',
    ]);
  });
});

describe('exemplars-ramp', () => {
  it('raises its strength linearly from 0.1 at the first batch to 0.7 at the last, then holds it', async () => {
    const { rampStrength } = await import('../benchmarks/study/sources.js');
    expect(rampStrength(0, 500)).toBeCloseTo(0.1, 12);
    expect(rampStrength(499, 500)).toBeCloseTo(0.7, 12);
    expect(rampStrength(249.5, 500)).toBeCloseTo(0.4, 12);
    expect(rampStrength(600, 500)).toBeCloseTo(0.7, 12);
    expect(rampStrength(0, 1)).toBeCloseTo(0.1, 12);
  });
});

describe.each(['digits', 'fashion'])('exemplars-%s', (procedural) => {
  it(`fills every batch half with the ${procedural} method's samples and half with exemplars-thick-x1.25's, in a shuffled order`, async () => {
    const { SOURCES } = await import('../benchmarks/study/sources.js');
    const train = await mnist({ split: 'train' });
    const ctx = { seed: 4, batchSize: 16, train, model: undefined as never, heldOut: train, batches: 2 };
    const mixed = await SOURCES[`exemplars-${procedural}`].make(ctx).stream.take(2).toArray();
    // The first batch of each of the two methods alone: 2 mixed batches of 16 take 8 + 8 samples of each.
    const [fromDigits] = await SOURCES[procedural].make(ctx).stream.take(1).toArray();
    const [fromExemplars] = await SOURCES['exemplars-thick-x1.25'].make(ctx).stream.take(1).toArray();
    const key = (x: Float32Array, i: number) => Array.from(x.subarray(i * 784, (i + 1) * 784), (v) => v.toFixed(5)).join();
    const digitKeys = new Set(Array.from({ length: 16 }, (_, i) => key(fromDigits.x as Float32Array, i)));
    const exemplarKeys = new Set(Array.from({ length: 16 }, (_, i) => key(fromExemplars.x as Float32Array, i)));
    const origins = mixed.map((b) =>
      Array.from({ length: b.size }, (_, i) =>
        digitKeys.has(key(b.x as Float32Array, i)) ? 'd' : exemplarKeys.has(key(b.x as Float32Array, i)) ? 'e' : '?',
      ).join(''),
    );
    for (const o of origins) {
      expect(o.split('d').length - 1).toBe(8);
      expect(o.split('e').length - 1).toBe(8);
    }
    expect(origins[0]).not.toBe('dddddddd' + 'eeeeeeee');
  }, 60_000);
});

describe('params of the named sources (--params of sweep, scaling and one-shot)', () => {
  it("set the procedural task's parameters under every source built on one; what an adaptive source steers goes on top", async () => {
    const { SOURCES } = await import('../benchmarks/study/sources.js');
    const { digits, generate } = await import('../src/index.js');
    const train = await mnist({ split: 'test' });
    const onlyThrees = Array.from({ length: 10 }, (_, k) => (k === 3 ? 1 : 0));
    const params = { centre: 14, strokeWidth: 1.5, classWeights: onlyThrees };
    const ctx = { seed: 4, batchSize: 16, train, model: undefined as never, heldOut: train, batches: 2 };
    const first = async (s: { stream: { take(n: number): { toArray(): Promise<{ x: ArrayLike<number>; y: ArrayLike<number> }[]> } } }) =>
      (await s.stream.take(1).toArray())[0];
    const set = await first(SOURCES.digits.make({ ...ctx, params }));
    expect(set).toEqual(await first({ stream: generate(digits, { seed: 4, batchSize: 16, params }) }));
    expect(Array.from(set.y)).toEqual(new Array(16).fill(3));
    expect(set.x).not.toEqual((await first(SOURCES.digits.make(ctx))).x);
    // Class reweighting sets classWeights itself: its weights win, and the rest of the params hold.
    const source = SOURCES['digits-reweighted'].make({ ...ctx, params });
    const weights = (source.controllers![0] as unknown as { params(i: number): { classWeights: readonly number[] } }).params(0);
    const reweighted = await first(source);
    expect(reweighted).toEqual(await first({ stream: generate(digits, { seed: 4, batchSize: 16, params: { ...params, ...weights } }) }));
    expect(new Set(Array.from(reweighted.y)).size).toBeGreaterThan(1);
    // digits-fitted starts from MNIST_DIGIT_PARAMS, and the context's params go on top of them.
    const { MNIST_DIGIT_PARAMS } = await import('../src/index.js');
    const fitted = await first(SOURCES['digits-fitted'].make({ ...ctx, params: { centre: 13.5 } }));
    expect(fitted).toEqual(await first({ stream: generate(digits, { seed: 4, batchSize: 16, params: { ...MNIST_DIGIT_PARAMS, centre: 13.5 } }) }));
    expect(fitted.x).not.toEqual((await first({ stream: generate(digits, { seed: 4, batchSize: 16, params: MNIST_DIGIT_PARAMS }) })).x);
  }, 60_000);

  it('reach the sources built on a procedural task, and are refused, naming the option, where none is, for an undeclared name or a value out of range', async () => {
    const { sourcesTakingParams } = await import('../src/harness/warmup-source.js');
    expect(sourcesTakingParams(SOURCES, ['pixel-count', 'digits', 'exemplars', 'exemplars-digits'], { centre: 14 }, 'x')).toEqual([
      'digits',
      'exemplars-digits',
    ]);
    expect(sourcesTakingParams(SOURCES, ['pixel-count'], undefined, 'x')).toEqual([]);
    const { checkOneShotConfig } = await import('../benchmarks/study/one-shot.js');
    const sweep = (tasks: string[], params: Record<string, unknown>) => () =>
      checkSweepConfig({ tasks, shares: [0, 0.5], seeds: 1, totalSteps: 1, batchSize: 1, params }, SOURCES);
    expect(sweep(['pixel-count', 'exemplars'], { centre: 14 })).toThrow(
      /sweep params: sets the parameters of a procedural task, and none of pixel-count, exemplars is built on one; those that are: digits, digits-fitted, fashion, /,
    );
    expect(sweep(['pixel-count', 'digits'], { centre: 14 })).not.toThrow();
    expect(sweep(['digits'], { width: [0.5, 1] })).toThrow(/sweep params.width: task 'digits' has no such parameter; it has: strokeWidth,/);
    expect(sweep(['fashion'], { width: [0.5, 1] })).not.toThrow();
    expect(sweep(['digits-policy'], { centre: 20 })).toThrow(/sweep params.centre: expected a number or a \[lo, hi\] range within \[12, 16\], got 20/);
    expect(() => checkOneShotConfig({ methods: ['exemplars-thick'], seeds: 1, steps: 1, batchSize: 1, params: { centre: 14 } })).toThrow(
      /one-shot params: .*none of exemplars-thick is built on one/,
    );
    expect(() => checkOneShotConfig({ methods: ['exemplars-thick', 'exemplars-fashion'], seeds: 1, steps: 1, batchSize: 1, params: { centre: 14 } })).toThrow(
      /one-shot params.centre: task 'fashion' has no such parameter/,
    );
  });

  it('are recorded by a sweep, which resumes with the same ones (in any key order) and refuses to resume with others, as with any other setting its rows do not record', async () => {
    await inDataFolder('otfgen-sweep-params-', async ({ sweepCommand, dir, out, log }) => {
      const config = { tasks: ['digits'], shares: [0, 0.5], seeds: 1, totalSteps: 2, batchSize: 8, out, backend: 'wasm', data: dir };
      await sweepCommand({ ...config, params: { centre: 14, blur: [0, 0.1] } });
      const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
      expect(saved.config.params).toEqual({ centre: 14, blur: [0, 0.1] });
      expect(saved.rows.map((r: SweepRow) => `${r.task}/${r.share}`)).toEqual(['baseline/0', 'digits/0.5']);
      log.mockClear();
      await sweepCommand({ ...config, seeds: 2, params: { blur: [0, 0.1], centre: 14 } });
      expect(log.mock.calls.map((c) => String(c[0]))).toContain(`2 finished run(s) found in ${out}/results.json: skipped`);
      expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).rows.map((r: SweepRow) => `${r.task}/${r.seed}`)).toEqual([
        'baseline/1',
        'digits/1',
        'baseline/2',
        'digits/2',
      ]);
      await expect(sweepCommand(config)).rejects.toMatchObject({
        code: 'ERR_FILE',
        message: expect.stringContaining(
          'results.json: holds runs with params {"blur":[0,0.1],"centre":14}, not with the default parameters: choose another --out',
        ),
      });
      await expect(sweepCommand({ ...config, params: { centre: 13 } })).rejects.toThrow(/not with params \{"centre":13\}/);
      // So are the other settings the rows do not record; a default given outright is the same setting.
      const same = { ...config, seeds: 2, params: { centre: 14, blur: [0, 0.1] } };
      await expect(sweepCommand({ ...same, blend: 'linear' })).rejects.toThrow(/holds runs with blend switch, not with blend linear: choose another --out/);
      await expect(sweepCommand({ ...same, lrSchedule: 'one-cycle' })).rejects.toThrow(
        /holds runs with learning-rate schedule constant, not with learning-rate schedule one-cycle/,
      );
      await expect(sweepCommand({ ...same, evalLimit: 10 })).rejects.toThrow(
        /holds runs with evaluation on every test image, not with evaluation on the first 10 test images/,
      );
      await expect(sweepCommand({ ...same, architecture: 'small' })).rejects.toThrow(/holds runs with the reference CNN, not with the small CNN/);
      await sweepCommand({ ...same, learningRate: 0.001, blend: 'switch', lrSchedule: 'constant', architecture: 'reference' });
      expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).rows).toHaveLength(4);
    });
  }, 60_000);
});

describe('one-shot default methods', () => {
  it("are the MNIST ones, those of the committed one-shot run (the README's command gives its rows); the Fashion-MNIST ones and those added since are asked for by name", async () => {
    const { ONE_SHOT_DEFAULT_METHODS, ONE_SHOT_METHODS } = await import('../benchmarks/study/one-shot.js');
    const committed = JSON.parse(await readFile(new URL('../benchmarks/results/one-shot/results.json', import.meta.url), 'utf8'));
    expect(ONE_SHOT_DEFAULT_METHODS).toEqual(committed.config.methods);
    expect(ONE_SHOT_METHODS.filter((m) => !ONE_SHOT_DEFAULT_METHODS.includes(m))).toEqual([
      'digits-fitted',
      'fashion',
      'exemplars-cutmix',
      'exemplars-thick-elastic',
      'exemplars-deformed',
      'exemplars-deformed-random',
      'exemplars-registered',
      'exemplars-registered-random',
      'exemplars-fashion',
      'exemplars-self-training',
      'exemplars-digits-self-training',
      'exemplars-fashion-self-training',
      'exemplars-fashion-registered',
      'exemplars-fashion-registered-random',
      'exemplars-nearest',
    ]);
  });

  it('a data folder must be named', async () => {
    const { checkOneShotConfig } = await import('../benchmarks/study/one-shot.js');
    expect(() => checkOneShotConfig({ methods: ['exemplars'], seeds: 1, steps: 1, batchSize: 1, data: '' })).toThrow(
      /one-shot data: expected a folder name, got ""/,
    );
  });
});

describe('summariseOneShot', () => {
  const row = (method: string, seed: number, finalAccuracy: number) => ({ method, seed, finalAccuracy, finalLoss: 1, perClass: [], wallMs: 1 });
  const results = {
    config: { methods: ['a', 'b'], seeds: 3, steps: 1, batchSize: 1 },
    rows: [row('a', 1, 0.5), row('b', 1, 0.6), row('a', 2, 0.7), row('b', 2, 0.72), row('a', 3, 0.6), row('b', 3, 0.65), row('b', 4, 0.9)],
  };

  it('compares each method with a baseline seed by seed, over the seeds both ran', async () => {
    const { summariseOneShot } = await import('../benchmarks/study/one-shot.js');
    const byMethod = Object.fromEntries(summariseOneShot(results, 'a').map((s) => [s.method, s]));
    // b - a on seeds 1..3: 0.1, 0.02, 0.05 (seed 4 has no baseline run).
    expect(byMethod.b.accuracy).toBeCloseTo((0.6 + 0.72 + 0.65 + 0.9) / 4, 12);
    expect(byMethod.b.vsBaseline!.seeds).toBe(3);
    expect(byMethod.b.vsBaseline!.mean).toBeCloseTo(0.17 / 3, 12);
    const m = 0.17 / 3;
    const sd = Math.sqrt(((0.1 - m) ** 2 + (0.02 - m) ** 2 + (0.05 - m) ** 2) / 2);
    expect(byMethod.b.vsBaseline!.standardError).toBeCloseTo(sd / Math.sqrt(3), 12);
    expect(byMethod.a.vsBaseline!.mean).toBe(0);
    expect(summariseOneShot(results)[0].vsBaseline).toBeUndefined();
    expect(() => summariseOneShot(results, 'c')).toThrow(/one-shot baseline.*"c"/);
  });

  it('rejects a baseline that is not among the methods before training anything', async () => {
    const { runOneShot } = await import('../benchmarks/study/one-shot.js');
    const none = { x: new Float32Array(0), y: new Uint8Array(0), count: 0 } as never;
    await expect(
      runOneShot(
        { methods: ['exemplars'], seeds: 1, steps: 1, batchSize: 1, baseline: 'exemplars-wide' },
        { train: none, test: none, outDir: '/nonexistent/never-made' },
      ),
    ).rejects.toThrow(/one-shot baseline.*exemplars-wide/);
  });
});

describe('runOneShot', () => {
  it('runs adaptive and static methods, records what the adaptive ones chose, writes results, leaks no tensor', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { runOneShot, summariseOneShot, ONE_SHOT_METHODS } = await import('../benchmarks/study/one-shot.js');
    const { selectBackend } = await import('../src/node/index.js');
    await import('@tensorflow/tfjs-layers');
    await selectBackend({ backend: 'wasm' });
    const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const small = { ...test, x: test.x.subarray(0, 300 * 784), y: test.y.subarray(0, 300), count: 300 };
    const dir = await mkdtemp(join(tmpdir(), 'otfgen-one-shot-'));
    const before = tf.memory().numTensors;
    try {
      // exemplars-learned-teach also runs the diversity term and an EMA teacher model (freed after its run).
      // exemplars-self-training and exemplars-nearest read 2,000 unlabelled images after steps 2, 5, 7 and 10 of 12.
      const methods = ['exemplars', 'exemplars-learned-teach', 'exemplars-policy', 'exemplars-digits-policy', 'exemplars-self-training', 'exemplars-nearest'];
      const results = await runOneShot({ methods, seeds: 1, steps: 12, batchSize: 16 }, { train, test: small, outDir: dir });
      expect(results.rows.map((r) => r.method)).toEqual(methods);
      expect(results.rows[0].controls).toBeUndefined();
      expect(Object.keys(results.rows[1].controls![1].values)).toContain('rotation');
      expect(results.rows[2].controls!.length).toBe(2); // steps 0 and 10
      expect(Object.keys(results.rows[3].controls![0].values).sort()).toEqual(['digits', 'exemplars']);
      // Before any reading: no pseudo-label; at step 10, the last reading's: up to 100 a class (half the 2,000), each right or not by MNIST's label.
      const [start, end] = results.rows[4].controls!.map((c) => c.values);
      expect(start).toEqual({ pseudoLabelled: 0 });
      expect(end.pseudoLabelled).toBeGreaterThan(0);
      expect(end.pseudoLabelled).toBeLessThanOrEqual(0.5);
      expect(end.pseudoLabelsRight).toBeGreaterThanOrEqual(0);
      expect(end.pseudoLabelsRight).toBeLessThanOrEqual(1);
      // The control labels by the nearest exemplar, no model: far better than chance (0.1) from the start.
      const nearest = results.rows[5].controls!.at(-1)!.values;
      expect(nearest.pseudoLabelled).toBeGreaterThan(0);
      expect(nearest.pseudoLabelsRight).toBeGreaterThan(0.4);
      expect(summariseOneShot(results).length).toBe(6);
      const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
      expect(saved.rows.length).toBe(6);
      expect(tf.memory().numTensors).toBe(before);
      expect(ONE_SHOT_METHODS).toContain('exemplars-learned');
      expect(ONE_SHOT_METHODS).toContain('digits'); // the reference for the methods that add procedural digits
      await expect(runOneShot({ methods: ['pixel-count'], seeds: 1, steps: 1, batchSize: 1 }, { train, test: small, outDir: dir })).rejects.toThrow(
        OtfgenUnknownTaskError,
      );
      // A task the sweep knows is named as such, with why one-shot cannot run it.
      await expect(runOneShot({ methods: ['pixel-count'], seeds: 1, steps: 1, batchSize: 1 }, { train, test: small, outDir: dir })).rejects.toThrow(
        /unknown one-shot method 'pixel-count' \(a warm-up task whose labels are pixel counts, not digits\); known one-shot methods: .*exemplars-digits/,
      );
      await expect(runOneShot({ methods: ['digits-policy'], seeds: 1, steps: 1, batchSize: 1 }, { train, test: small, outDir: dir })).rejects.toThrow(
        /'digits-policy' \(a warm-up task steered by held-out real images/,
      );
      await expect(runOneShot({ methods: ['nope'], seeds: 1, steps: 1, batchSize: 1 }, { train, test: small, outDir: dir })).rejects.toThrow(
        /unknown one-shot method 'nope'; known/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

// Issue 40, item 3: SIGTERM to a sweep with --jobs left its seed processes running to completion.
describe('a study sweep with --jobs, stopped by SIGTERM', () => {
  it('stops its seed processes, keeps what finished, and exits 143', async () => {
    const { spawn, execFileSync } = await import('node:child_process');
    const { studyCli } = await import('./helpers.js');
    const dir = await mkdtemp(join(tmpdir(), 'otfgen-sigterm-'));
    try {
      await writeIdxDataset(dir, 40, 30);
      const args = ['sweep', '--tasks', 'digits', '--shares', '0,0.5', '--seeds', '2', '--jobs', '2', '--steps', '100000', '--batch-size', '8'];
      const parent = spawn(process.execPath, [studyCli, ...args, '--data', dir, '--out', join(dir, 'out'), '--no-plots', '--backend', 'wasm'], {
        stdio: 'ignore',
      });
      const children = () => {
        try {
          return execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent.pid)], { encoding: 'utf8' })
            .trim()
            .split(/\s+/)
            .filter(Boolean)
            .map(Number);
        } catch {
          return []; // ps exits 1 when there are none
        }
      };
      let seeds: number[] = [];
      while ((seeds = children()).length < 2) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1500)); // both seeds training
      parent.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => parent.once('close', r));
      expect(code).toBe(143);
      const alive = seeds.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
