/**
 * `otfgen bench`: throughput of generators and sources (samples/s on one
 * core, side by side in one run, median of rounds), and the training step of
 * the reference CNN on each backend. Writes benchmarks/results/*.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../batch.js';
import { selectBackend } from '../backend/select.js';
import { createModel } from '../harness/models.js';
import { writeChart } from '../harness/plots.js';
import { SplitAdam, train, trainStep } from '../harness/train.js';
import { generate as generateParallel } from '../parallel/generate.js';
import { arraySource } from '../sources/arrays.js';
import { readIdx } from '../sources/idx-file.js';
import { imageFolder, writeImageFolder } from '../sources/image-folder.js';
import { mnist, mnistDataDir } from '../sources/mnist.js';
import { digits } from '../tasks/digits/index.js';
import { fashion } from '../tasks/fashion/index.js';
import { generate } from '../tasks/generate.js';
import { pixelCount } from '../tasks/pixel-count.js';
import { markdownTable } from './common.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Samples per second of pulling batches for about `seconds`, timed from the first batch (worker start-up is not counted). */
async function rate(make: () => AsyncIterable<Batch>, seconds: number, fromStart = false): Promise<number> {
  let n = 0;
  let start = fromStart ? performance.now() : 0;
  let end = start + seconds * 1000;
  for (;;) {
    for await (const b of make()) {
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
      yield* arraySource({ x: images.data as Uint8Array, y: labels.data as Uint8Array, sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } }, { batchSize, seed: 1, epochs: 1 });
    })();
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
  const cases: { name: string; batchSize: number; make: () => AsyncIterable<Batch>; fromStart?: boolean }[] = [];
  for (const bs of [64, 1024]) {
    cases.push(
      { name: 'memory-write limit (allocate + fill)', batchSize: bs, make: memoryLimit(bs) },
      { name: 'pixelCount (p = 0.5)', batchSize: bs, make: () => generate(pixelCount, { seed: 1, batchSize: bs }) },
      { name: 'pixelCount (p drawn in [0.1, 0.9])', batchSize: bs, make: () => generate(pixelCount, { seed: 1, batchSize: bs, params: { onProbability: [0.1, 0.9] } }) },
      { name: 'digits (default parameters)', batchSize: bs, make: () => generate(digits, { seed: 1, batchSize: bs }) },
      { name: 'fashion (default parameters)', batchSize: bs, make: () => generate(fashion, { seed: 1, batchSize: bs }) },
      { name: `digits, ${cpus().length} workers`, batchSize: bs, make: () => generateParallel(digits, { seed: 1, batchSize: bs, workers: cpus().length }) },
      { name: `fashion, ${cpus().length} workers`, batchSize: bs, make: () => generateParallel(fashion, { seed: 1, batchSize: bs, workers: cpus().length }) },
      { name: 'MNIST in memory (arraySource, shuffled)', batchSize: bs, make: () => arraySource(train, { seed: 1, batchSize: bs, epochs: Infinity }) },
      { name: 'MNIST IDX from disk (read + parse each pass, cold)', batchSize: bs, make: idxFromDisk(bs), fromStart: true },
      { name: 'PNG folder (sharp decode, 10,000 files)', batchSize: bs, make: pngSource(png, bs) },
    );
  }
  const rounds = 3;
  const samples = new Map<string, number[]>();
  const key = (c: (typeof cases)[number]) => `${c.name}@${c.batchSize}`;
  for (const c of cases) await rate(c.make, 0.3, c.fromStart); // warm up every path first
  for (let r = 0; r < rounds; r++) {
    // Interleaved rounds: a noisy neighbour hurts every case alike.
    for (const c of cases) {
      const v = await rate(c.make, 1, c.fromStart);
      samples.set(key(c), [...(samples.get(key(c)) ?? []), v]);
    }
  }
  const results = cases.map((c) => {
    const limit = median(samples.get(`memory-write limit (allocate + fill)@${c.batchSize}`)!);
    const v = median(samples.get(key(c))!);
    return { name: c.name, batchSize: c.batchSize, samplesPerSecond: Math.round(v), rounds: samples.get(key(c))!.map(Math.round), ratioToMemoryLimit: +(v / limit).toFixed(3) };
  });
  const waiting = await dataWaitInTraining(train, png);
  const report = {
    machine: machine(),
    note: 'one core unless workers are named, 28x28x1 float32 samples, median of 3 interleaved 1 s rounds timed from the first batch',
    results,
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
  await writeFile(join(out, 'throughput.md'), `${table}\n\n${waitTable}\n`);
  await writeChart(join(out, 'throughput'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Samples per second (batch 64; log scale)',
    width: 420,
    height: 260,
    data: { values: results.filter((r) => r.batchSize === 64) },
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', sort: '-x', title: null },
      x: { field: 'samplesPerSecond', type: 'quantitative', scale: { type: 'log' }, title: 'samples/s' },
    },
  });
  console.log(`${table}\n\n${waitTable}`);
  return report;
}

/** In a training loop of the reference CNN on the fast backend: how long each step waits for its batch, per source. */
async function dataWaitInTraining(trainSet: Awaited<ReturnType<typeof mnist>>, png: string) {
  await selectBackend({ backend: 'wasm' });
  const steps = 60;
  const sources: [string, () => AsyncIterable<Batch>][] = [
    ['pixelCount', () => generate(pixelCount, { seed: 1 })],
    ['digits', () => generate(digits, { seed: 1 })],
    ['digits, 2 workers', () => generateParallel(digits, { seed: 1, workers: 2 })],
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
  for (const [backend, steps] of [['wasm', 40], ['cpu', 4]] as const) {
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
      kernels: [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, ms]) => ({ name, ms: +ms.toFixed(3), share: +(ms / total).toFixed(3) })),
    };
    opt.dispose();
    model.dispose();
    console.log(`${backend}: median ${median(stepsMs).toFixed(1)} ms per step (${steps} steps)`);
  }
  const wasmMs = median(per.wasm.stepsMs), cpuMs = median(per.cpu.stepsMs);
  const report = {
    machine: machine(),
    model: 'reference CNN: conv 3x3x8, max-pool, conv 3x3x16, max-pool, dense 64, dense 10; Adam, clip 5; batch 64 of 28x28x1',
    medianStepMs: { wasm: +wasmMs.toFixed(2), cpu: +cpuMs.toFixed(1) },
    speedupWasmOverCpu: +(cpuMs / wasmMs).toFixed(1),
    perBackend: per,
  };
  await writeFile(join(out, 'train-step.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`wasm + otfgen kernels: ${wasmMs.toFixed(1)} ms, cpu: ${cpuMs.toFixed(0)} ms, ${report.speedupWasmOverCpu}x`);
  console.log(markdownTable(['wasm kernel', 'ms', 'share of step'], per.wasm.kernels.map((k) => [k.name, k.ms.toFixed(2), `${(k.share * 100).toFixed(1)}%`])));
  return report;
}

export async function benchCommand(opts: { only?: 'throughput' | 'train'; out: string }): Promise<void> {
  await mkdir(opts.out, { recursive: true });
  if (opts.only !== 'train') await throughputBench(opts.out);
  if (opts.only !== 'throughput') await trainStepBench(opts.out);
  console.log(`results in ${opts.out}`);
}
