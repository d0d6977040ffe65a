/**
 * `otfgen bench`: throughput of generators and sources (samples/s on one
 * core, side by side in one run, median of rounds), and the training step of
 * the reference CNN on each backend. Writes benchmarks/results/*.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Batch } from '../../../src/core/batch.js';
import { selectBackend } from '../../../src/node/backend/select.js';
import { createModel } from '../../../src/harness/models.js';
import type { TopLevelSpec } from 'vega-lite';
import { writeChart } from '../../../src/cli/plots.js';
import { SplitAdam, train, trainStep } from '../../../src/harness/train.js';
import { generateInWorkers as generateParallel } from '../../../src/node/workers/generate.js';
import { messagePlan } from '../../../src/tasks/worker-pool.js';
import { arraySource } from '../../../src/sources/arrays.js';
import { readIdx } from '../../../src/node/files/idx-file.js';
import { imageFolder } from '../../../src/node/files/image-folder.js';
import { writeImageFolder } from '../../../src/node/writers/image-folder.js';
import { mnist, mnistDataDir } from '../../../src/node/files/mnist.js';
import { digits } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import { generate } from '../../../src/tasks/generate.js';
import { pixelCount } from '../../../src/tasks/pixel-count.js';
import { markdownTable } from './common.js';

const execFileAsync = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Samples per second of pulling batches for about `seconds`, timed from the
 * first batch (worker start-up is not counted). `backlog` batches made ahead
 * while the stream was idle (a worker stream's prefetch) are pulled before the
 * clock starts, so they do not count as made in the window.
 */
async function rate(make: () => AsyncIterable<Batch>, seconds: number, fromStart = false, backlog = 0): Promise<number> {
  let n = 0;
  let start = fromStart ? performance.now() : 0;
  let end = start + seconds * 1000;
  let skip = backlog;
  for (;;) {
    for await (const b of make()) {
      if (skip-- > 0) continue;
      if (!start) {
        start = performance.now();
        end = start + seconds * 1000;
        continue;
      }
      n += b.size;
      if (performance.now() > end) return n / ((performance.now() - start) / 1000);
    }
  }
}

function machine() {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString() };
}

/** A PNG folder of digits for the disk baseline, written once into the temp folder. */
async function pngFolder(): Promise<string> {
  const dir = join(tmpdir(), 'otfgen-bench-digits-png-10000');
  if (!existsSync(dir)) await writeImageFolder(generate(digits, { seed: 1, batchSize: 500 }), dir, { count: 10000 });
  return dir;
}

/** The PNG folder as an endless batch source (imageFolder lists the folder when the stream opens). */
function pngSource(dir: string, batchSize: number): () => AsyncIterable<Batch> {
  return () => ({
    async *[Symbol.asyncIterator]() {
      yield* await imageFolder(dir, { batchSize, seed: 1, epochs: Infinity });
    },
  });
}

/** MNIST read from its IDX files on disk and parsed, every pass: the cold-start cost in each batch stream. */
function idxFromDisk(batchSize: number): () => AsyncIterable<Batch> {
  const dir = mnistDataDir();
  return () =>
    (async function* () {
      const [images, labels] = await Promise.all([readIdx(join(dir, 'train-images-idx3-ubyte')), readIdx(join(dir, 'train-labels-idx1-ubyte'))]);
      yield* arraySource(
        { x: images.data as Uint8Array, y: labels.data as Uint8Array, sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } },
        { batchSize, seed: 1, epochs: 1 },
      );
    })();
}

interface Case {
  name: string;
  batchSize: number;
  /** The source, unless `measure` is given. */
  make?: () => AsyncIterable<Batch>;
  /** Timed from the stream's start (cold-start cost included), not from its first batch. */
  fromStart?: boolean;
  /** For worker streams: the one-thread case of the same generator, for the scaling ratio. */
  oneThread?: string;
  /** Batches the stream has ready when a round starts (a worker stream's prefetch), pulled before timing. */
  backlog?: number;
  /** Measured otherwise than by pulling batches from `make` (samples/s over the given seconds). */
  measure?: (seconds: number) => Promise<number>;
}

/**
 * The machine's ceiling for n threads making a task: n workers that each call
 * renderBatch back to back for the same time and report only their count, with
 * no batches sent and nothing waiting on a consumer. Workers stay up between
 * measurements (warm JIT, as the worker streams are).
 */
function threadCeiling(
  taskExport: 'digits' | 'fashion',
  batchSize: number,
  n: number,
): { measure: (seconds: number) => Promise<number>; close(): Promise<void> } {
  const index = ['./index.js', '../../dist/index.js'].map((rel) => new URL(rel, import.meta.url)).find((u) => existsSync(fileURLToPath(u)));
  if (!index) throw new Error('dist/index.js was not found: run npm run build');
  const code = `
    const { parentPort, workerData: d } = require('node:worker_threads');
    import(d.index).then((m) => {
      let k = 0;
      parentPort.on('message', (ms) => {
        let made = 0;
        const start = performance.now();
        while (performance.now() - start < ms) {
          m.renderBatch(m[d.task], { seed: 1, index: k++, batchSize: d.batchSize });
          made += d.batchSize;
        }
        parentPort.postMessage(made / ((performance.now() - start) / 1000));
      });
      parentPort.postMessage(0);
    });`;
  const pool = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: { index: index.href, task: taskExport, batchSize } }));
  const reply = (w: Worker) => new Promise<number>((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  const ready = Promise.all(pool.map(reply));
  return {
    async measure(seconds) {
      await ready;
      const rates = pool.map(reply);
      for (const w of pool) w.postMessage(seconds * 1000);
      return (await Promise.all(rates)).reduce((a, b) => a + b, 0);
    },
    close: async () => void (await Promise.all(pool.map((w) => w.terminate()))),
  };
}

interface KeptStream {
  make: () => AsyncIterable<Batch>;
  close(): Promise<void>;
}

/** A stream opened once and pulled from by every round (a loop that breaks does not close it). */
function keptStream(open: () => AsyncIterable<Batch>): KeptStream {
  let it: AsyncIterator<Batch> | null = null;
  return {
    make: () => ({ [Symbol.asyncIterator]: () => ({ next: () => (it ??= open()[Symbol.asyncIterator]()).next() }) }),
    close: async () => {
      await it?.return?.();
    },
  };
}

export async function throughputBench(out: string): Promise<object> {
  const train = await mnist({ split: 'train' });
  const png = await pngFolder();
  const memoryLimit = (batchSize: number) => () =>
    (async function* () {
      // The physical limit: a fresh batch written once, as a generator must.
      for (;;) {
        const x = new Float32Array(batchSize * 784);
        x.fill(1);
        yield { x, y: new Float32Array(batchSize), size: batchSize, sampleShape: [28, 28, 1], target: { kind: 'regression', size: 1 } } as Batch;
      }
    })();
  const cases: Case[] = [];
  const closers: (() => Promise<void>)[] = []; // worker streams and ceilings, closed at the end
  const workers = cpus().length;
  // Worker streams run with generate's defaults; the batches they hold ready when a round starts are pulled first.
  const backlog = (task: typeof digits | typeof fashion, bs: number) => workers * messagePlan(task, bs, undefined, 'prefetch').prefetch;
  const inWorkers = (make: () => AsyncIterable<Batch>) => {
    const k = keptStream(make);
    closers.push(k.close);
    return k.make;
  };
  const ceiling = (task: 'digits' | 'fashion', bs: number) => {
    const c = threadCeiling(task, bs, workers);
    closers.push(c.close);
    return c.measure;
  };
  for (const bs of [64, 1024]) {
    cases.push(
      { name: 'memory-write limit (allocate + fill)', batchSize: bs, make: memoryLimit(bs) },
      { name: 'pixelCount (p = 0.5)', batchSize: bs, make: () => generate(pixelCount, { seed: 1, batchSize: bs }) },
      {
        name: 'pixelCount (p drawn in [0.1, 0.9])',
        batchSize: bs,
        make: () => generate(pixelCount, { seed: 1, batchSize: bs, params: { onProbability: [0.1, 0.9] } }),
      },
      { name: 'digits (default parameters)', batchSize: bs, make: () => generate(digits, { seed: 1, batchSize: bs }) },
      {
        name: `digits, ${workers} workers`,
        batchSize: bs,
        make: inWorkers(() => generateParallel(digits, { seed: 1, batchSize: bs, workers })),
        backlog: backlog(digits, bs),
        oneThread: 'digits (default parameters)',
      },
      { name: 'digits, recycled memory', batchSize: bs, make: () => generate(digits, { seed: 1, batchSize: bs, recycle: true }) },
      {
        name: `digits, ${workers} workers, recycled memory`,
        batchSize: bs,
        make: inWorkers(() => generateParallel(digits, { seed: 1, batchSize: bs, workers, recycle: true })),
        backlog: backlog(digits, bs),
        oneThread: 'digits, recycled memory',
      },
      { name: `digits, ${workers} threads rendering alone (ceiling)`, batchSize: bs, measure: ceiling('digits', bs), oneThread: 'digits (default parameters)' },
      { name: 'fashion (default parameters)', batchSize: bs, make: () => generate(fashion, { seed: 1, batchSize: bs }) },
      {
        name: `fashion, ${workers} workers`,
        batchSize: bs,
        make: inWorkers(() => generateParallel(fashion, { seed: 1, batchSize: bs, workers })),
        backlog: backlog(fashion, bs),
        oneThread: 'fashion (default parameters)',
      },
      { name: 'fashion, recycled memory', batchSize: bs, make: () => generate(fashion, { seed: 1, batchSize: bs, recycle: true }) },
      {
        name: `fashion, ${workers} workers, recycled memory`,
        batchSize: bs,
        make: inWorkers(() => generateParallel(fashion, { seed: 1, batchSize: bs, workers, recycle: true })),
        backlog: backlog(fashion, bs),
        oneThread: 'fashion, recycled memory',
      },
      { name: 'MNIST in memory (arraySource, shuffled)', batchSize: bs, make: () => arraySource(train, { seed: 1, batchSize: bs, epochs: Infinity }) },
      { name: 'MNIST IDX from disk (read + parse each pass, cold)', batchSize: bs, make: idxFromDisk(bs), fromStart: true },
      { name: 'PNG folder (sharp decode, 10,000 files)', batchSize: bs, make: pngSource(png, bs) },
    );
  }
  const rounds = 5;
  const samples = new Map<string, number[]>();
  const key = (name: string, batchSize: number) => `${name}@${batchSize}`;
  try {
    // Warm up every path first. Worker streams stay open from here to the end, as
    // in a training run: their start-up and the workers' JIT warm-up are not counted.
    const measure = (c: Case, seconds: number) => (c.measure ? c.measure(seconds) : rate(c.make!, seconds, c.fromStart, c.backlog));
    for (const c of cases) await measure(c, c.oneThread ? 2 : 0.3);
    for (let r = 0; r < rounds; r++) {
      // Interleaved rounds: a noisy neighbour hurts every case alike, and each
      // worker case runs right after its one-thread case, for the scaling ratio.
      for (const c of cases) {
        const v = await measure(c, 1);
        samples.set(key(c.name, c.batchSize), [...(samples.get(key(c.name, c.batchSize)) ?? []), v]);
      }
    }
  } finally {
    await Promise.all(closers.map((close) => close()));
  }
  const results = cases.map((c) => {
    // The ratio to the limit is taken in each round (the limit is measured in the
    // same round, a few seconds before), then its median: memory-bound rates
    // swing with the host from round to round, and a ratio of two medians
    // could pair a quiet round's limit with a noisy round's rate.
    const limits = samples.get(key('memory-write limit (allocate + fill)', c.batchSize))!;
    const runs = samples.get(key(c.name, c.batchSize))!;
    return {
      name: c.name,
      batchSize: c.batchSize,
      samplesPerSecond: Math.round(median(runs)),
      rounds: runs.map(Math.round),
      ratioToMemoryLimit: +median(runs.map((v, i) => v / limits[i])).toFixed(3),
    };
  });
  // Scaling: each round's n-worker rate over the one-thread rate measured just before it.
  const scaling = cases.flatMap((c) => {
    if (!c.oneThread) return [];
    const many = samples.get(key(c.name, c.batchSize))!,
      one = samples.get(key(c.oneThread, c.batchSize))!;
    const ratios = many.map((v, i) => v / one[i]);
    return [{ name: c.name, batchSize: c.batchSize, workers, medianRatio: +median(ratios).toFixed(2), rounds: ratios.map((v) => +v.toFixed(2)) }];
  });
  const waiting = await dataWaitInTraining(train, png);
  const report = {
    machine: machine(),
    note: `one core unless workers are named, 28x28x1 float32 samples, median of ${rounds} interleaved 1 s rounds timed from the first batch; ratioToMemoryLimit: median over rounds of the rate over the same round's memory-write limit; worker streams opened and warmed up (2 s) before the rounds`,
    results,
    scaling,
    trainingLoop: waiting,
  };
  await writeFile(join(out, 'throughput.json'), JSON.stringify(report, null, 2) + '\n');
  const table = markdownTable(
    ['source', 'batch', 'samples/s', 'x memory limit'],
    results.map((r) => [r.name, r.batchSize, r.samplesPerSecond.toLocaleString('en-US'), r.ratioToMemoryLimit.toFixed(2)]),
  );
  const waitTable = markdownTable(
    ['source (reference CNN, wasm, batch 64)', 'data wait per step, ms', 'compute per step, ms', 'share of step waiting for data'],
    waiting.map((w) => [w.source, w.dataMsPerStep.toFixed(2), w.computeMsPerStep.toFixed(2), `${(w.dataShare * 100).toFixed(1)}%`]),
  );
  const scalingTable = markdownTable(
    ['generator', 'batch', 'over 1 thread (median)', 'each round'],
    scaling.map((r) => [r.name, r.batchSize, `${r.medianRatio.toFixed(2)}x`, r.rounds.map((v) => v.toFixed(2)).join(', ')]),
  );
  await writeFile(join(out, 'throughput.md'), `${table}\n\n${scalingTable}\n\n${waitTable}\n`);
  await writeChart(join(out, 'throughput'), throughputChart(results));
  console.log(`${table}\n\n${scalingTable}\n\n${waitTable}`);
  return report;
}

/**
 * The bar chart of samples per second at batch 64, on a log axis. Bars need a
 * baseline the log scale can place: x2 is fixed at 1,000 a second (every
 * source here is faster), as a bar's default baseline of 0 would make every
 * bar vanish.
 */
export function throughputChart(results: readonly { name: string; batchSize: number; samplesPerSecond: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Samples per second (batch 64; log scale)',
    width: 420,
    height: 260,
    data: { values: results.filter((r) => r.batchSize === 64) as object[] },
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 320 } },
      x: { field: 'samplesPerSecond', type: 'quantitative', scale: { type: 'log', domainMin: 1000 }, title: 'samples/s' },
      x2: { datum: 1000 },
    },
  };
}

/** In a training loop of the reference CNN on the fast backend: how long each step waits for its batch, per source. */
async function dataWaitInTraining(trainSet: Awaited<ReturnType<typeof mnist>>, png: string) {
  await selectBackend({ backend: 'wasm' });
  const steps = 60;
  const sources: [string, () => AsyncIterable<Batch>][] = [
    ['pixelCount', () => generate(pixelCount, { seed: 1 })],
    ['digits', () => generate(digits, { seed: 1 })],
    ['digits, 2 workers', () => generateParallel(digits, { seed: 1, workers: 2 })],
    ['digits, 2 workers, recycled memory', () => generateParallel(digits, { seed: 1, workers: 2, recycle: true })],
    ['MNIST in memory', () => arraySource(trainSet, { seed: 1, epochs: Infinity })],
    ['MNIST IDX from disk (cold)', idxFromDisk(64)],
    ['PNG folder', pngSource(png, 64)],
  ];
  const out = [];
  for (const [source, make] of sources) {
    const model = createModel({ seed: 1 });
    const r = await train({ model, steps: make(), totalSteps: steps });
    model.dispose();
    out.push({ source, steps, dataMsPerStep: r.dataMs / steps, computeMsPerStep: r.computeMs / steps, dataShare: r.dataMs / (r.dataMs + r.computeMs) });
  }
  return out;
}

export async function trainStepBench(out: string): Promise<object> {
  const batch: Batch = (await generate(pixelCount, { seed: 1, batchSize: 64 }).take(1).toArray())[0];
  const real: Batch = { ...batch, y: Int32Array.from({ length: 64 }, (_, i) => i % 10), target: { kind: 'class', classes: 10 } };
  const per: Record<string, { stepsMs: number[]; kernels: { name: string; ms: number; share: number }[] }> = {};
  for (const [backend, steps] of [
    ['wasm', 40],
    ['cpu', 4],
  ] as const) {
    await selectBackend({ backend });
    const model = createModel({ seed: 1 });
    const opt = new SplitAdam(0.001);
    for (let i = 0; i < 2; i++) await trainStep(model, opt, real, 5);
    const stepsMs: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      await trainStep(model, opt, real, 5);
      stepsMs.push(performance.now() - t);
    }
    const prof = await tf.profile(async () => {
      await trainStep(model, opt, real, 5);
    });
    const byKernel = new Map<string, number>();
    for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    per[backend] = {
      stepsMs: stepsMs.map((v) => +v.toFixed(2)),
      kernels: [...byKernel.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([name, ms]) => ({ name, ms: +ms.toFixed(3), share: +(ms / total).toFixed(3) })),
    };
    opt.dispose();
    model.dispose();
    console.log(`${backend}: median ${median(stepsMs).toFixed(1)} ms per step (${steps} steps)`);
  }
  const wasmMs = median(per.wasm.stepsMs),
    cpuMs = median(per.cpu.stepsMs);
  const report = {
    machine: machine(),
    model: 'reference CNN: conv 3x3x8, max-pool, conv 3x3x16, max-pool, dense 64, dense 10; Adam, clip 5; batch 64 of 28x28x1',
    medianStepMs: { wasm: +wasmMs.toFixed(2), cpu: +cpuMs.toFixed(1) },
    speedupWasmOverCpu: +(cpuMs / wasmMs).toFixed(1),
    perBackend: per,
  };
  await writeFile(join(out, 'train-step.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`wasm + otfgen kernels: ${wasmMs.toFixed(1)} ms, cpu: ${cpuMs.toFixed(0)} ms, ${report.speedupWasmOverCpu}x`);
  console.log(
    markdownTable(
      ['wasm kernel', 'ms', 'share of step'],
      per.wasm.kernels.map((k) => [k.name, k.ms.toFixed(2), `${(k.share * 100).toFixed(1)}%`]),
    ),
  );
  return report;
}

/**
 * Worker streams as a consumer sees them on its own main thread, with and
 * without a large JavaScript heap: each measurement is a fresh Node process
 * that builds the heap, opens one stream (one thread, or n workers with fresh
 * or recycled memory), warms it up and pulls batches. One process per
 * measurement because a process's collector state carries from one stream to
 * the next (a one-thread round just before it changes what a worker stream
 * measures in a large heap), which interleaving in one process cannot avoid.
 */
export async function consumerBench(out: string): Promise<object> {
  const [index, node] = ['index.js', 'node.js'].map((file) =>
    [`./${file}`, `../../dist/${file}`].map((rel) => new URL(rel, import.meta.url)).find((u) => existsSync(fileURLToPath(u))),
  );
  if (!index || !node) throw new Error('dist/index.js and dist/node.js were not found: run npm run build');
  const workers = cpus().length;
  const batchSize = 64;
  const heaps = [0, 2_000_000]; // small objects the consumer holds
  const streams = [
    { stream: 'one thread', workers: 1, recycle: false },
    { stream: `${workers} workers`, workers, recycle: false },
    { stream: 'one thread, recycled memory', workers: 1, recycle: true },
    { stream: `${workers} workers, recycled memory`, workers, recycle: true },
    // Each batch a message of its own, as before 05db5a5 (the default sends 10 batches of 64 digits a message).
    { stream: `${workers} workers, one batch a message (prefetch 2)`, workers, recycle: false, prefetch: 2 },
    // What the host gives two threads this round (in the bench's own process, small heap only): the figure to read the others against.
    { stream: `${workers} threads rendering alone (ceiling)`, workers, recycle: false, ceiling: true },
  ];
  const ceiling = threadCeiling('digits', batchSize, workers);
  const measureOnce = async (objects: number, s: (typeof streams)[number]) => {
    if (s.ceiling) {
      await ceiling.measure(1.5); // warm-up, as the streams have
      return { rate: await ceiling.measure(3), heapMB: process.memoryUsage().heapUsed / 1e6 };
    }
    const config = JSON.stringify({
      index: index.href,
      node: node.href,
      objects,
      batchSize,
      workers: s.workers,
      recycle: s.recycle,
      prefetch: s.prefetch,
      warmupMs: 1500,
      ms: 3000,
    });
    const code = `
      const c = ${config};
      const [m, n] = await Promise.all([import(c.index), import(c.node)]);
      const heap = Array.from({ length: c.objects }, (_, i) => ({ i, s: 'o' + i }));
      const options = { seed: 1, batchSize: c.batchSize, recycle: c.recycle };
      const it = (c.workers > 1 ? n.generate(m.digits, { ...options, workers: c.workers, prefetch: c.prefetch }) : m.generate(m.digits, options))[Symbol.asyncIterator]();
      const warm = performance.now();
      while (performance.now() - warm < c.warmupMs) await it.next();
      let made = 0;
      const start = performance.now();
      while (performance.now() - start < c.ms) made += (await it.next()).value.size;
      const rate = made / ((performance.now() - start) / 1000);
      const heapMB = process.memoryUsage().heapUsed / 1e6;
      await it.return?.();
      console.log(JSON.stringify({ rate, heapMB, objects: heap.length }));`;
    // A child that hangs is killed (SIGTERM) and the bench fails with its stderr, rather than waiting forever.
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { maxBuffer: 1 << 20, timeout: 120_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { rate: number; heapMB: number };
  };
  const rounds = 3;
  const samples = new Map<string, { rate: number; heapMB: number }[]>();
  const key = (objects: number, stream: string) => `${objects}/${stream}`;
  // The ceiling runs in this process, whose heap is small: measured with the small heap only.
  const streamsAt = (objects: number) => streams.filter((s) => !s.ceiling || objects === 0);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const objects of heaps) {
        for (const s of streamsAt(objects)) {
          const v = await measureOnce(objects, s);
          samples.set(key(objects, s.stream), [...(samples.get(key(objects, s.stream)) ?? []), v]);
        }
      }
    }
  } finally {
    await ceiling.close();
  }
  const results = heaps.flatMap((objects) =>
    streamsAt(objects).map((s) => {
      const runs = samples.get(key(objects, s.stream))!;
      const base = samples.get(key(objects, s.recycle ? 'one thread, recycled memory' : 'one thread'))!;
      const ratios = runs.map((v, i) => v.rate / base[i].rate);
      return {
        objects,
        heapMB: Math.round(median(runs.map((v) => v.heapMB))),
        stream: s.stream,
        samplesPerSecond: Math.round(median(runs.map((v) => v.rate))),
        rounds: runs.map((v) => Math.round(v.rate)),
        overOneThread: s.workers > 1 ? +median(ratios).toFixed(2) : null,
        ratioRounds: s.workers > 1 ? ratios.map((v) => +v.toFixed(2)) : null,
      };
    }),
  );
  const report = {
    machine: machine(),
    note: `digits, batch ${batchSize}, fresh memory unless named; each figure a separate Node process (heap built, stream warmed up 1.5 s, then 3 s of batches), except the ceiling: ${workers} threads of the bench's own process rendering with nothing sent (1.5 s warm-up, 3 s); median of ${rounds} rounds; ratios per round against the one-thread process of the same memory kind just before`,
    results,
  };
  await writeFile(join(out, 'consumer.json'), JSON.stringify(report, null, 2) + '\n');
  const table = markdownTable(
    ['consumer holds', 'stream', 'samples/s', 'over 1 thread (median)', 'each round'],
    results.map((r) => [
      `${r.objects.toLocaleString('en-US')} objects (${r.heapMB} MB heap)`,
      r.stream,
      r.samplesPerSecond.toLocaleString('en-US'),
      r.overOneThread === null ? '' : `${r.overOneThread.toFixed(2)}x`,
      r.ratioRounds?.map((v) => v.toFixed(2)).join(', ') ?? '',
    ]),
  );
  await writeFile(join(out, 'consumer.md'), `${table}\n`);
  console.log(table);
  return report;
}

export async function benchCommand(opts: { only?: 'throughput' | 'consumer' | 'train'; out: string }): Promise<void> {
  await mkdir(opts.out, { recursive: true });
  if (!opts.only || opts.only === 'throughput') await throughputBench(opts.out);
  if (!opts.only || opts.only === 'consumer') await consumerBench(opts.out);
  if (!opts.only || opts.only === 'train') await trainStepBench(opts.out);
  console.log(`results in ${opts.out}`);
}
