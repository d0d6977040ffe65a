/**
 * `otfgen bench`: data-loading overhead of a user's own sources (built-in
 * tasks, a task module, an IDX folder, an image folder), each measured by
 * `timed` as a training loop meets it: alone, and optionally feeding the
 * reference CNN's training step. Writes bench.json, bench.md and a chart.
 */
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Batch } from '../core/batch.js';
import { OtfgenArgumentError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../node/writers/atomic-file.js';
import { arraySource } from '../sources/arrays.js';
import type { Stream } from '../stream/stream.js';
import { timed, type TimingReport } from '../stream/timed.js';
import type { Task } from '../tasks/define-task.js';
import { generate } from '../tasks/generate.js';
import { builtinTasks, taskByName } from '../tasks/index.js';
import { loadTraining, markdownTable, tasksOfModule, useBackend } from './common.js';
import { writeChart } from './plots.js';

export interface BenchCommandOptions {
  /** Built-in tasks by name (default: all of them when no other source is given). */
  readonly tasks?: readonly string[];
  /** An ES module whose exported tasks are benchmarked too. */
  readonly taskModule?: string;
  /** A folder of MNIST-format IDX files: its training split, from memory after one read. */
  readonly idx?: string;
  /** A folder of class folders of images, decoded as the stream runs. */
  readonly imageFolder?: string;
  readonly batches: number;
  readonly batchSize: number;
  /** Worker threads for the tasks (1: the main thread). */
  readonly workers: number;
  /** Also feed each source to the reference CNN's training step. */
  readonly train: boolean;
  readonly backend: string;
  readonly seed: number | string;
  readonly out: string;
  readonly plots: boolean;
}

/** One source's figures in bench.json. Times in milliseconds. */
export interface BenchRow {
  readonly source: string;
  readonly kind: 'task' | 'idx' | 'image-folder';
  readonly sampleShape: readonly number[];
  /** Time to open the source (reading an IDX folder into memory; listing an image folder). */
  readonly openMs: number;
  /** The source alone: every batch pulled as fast as it comes. */
  readonly alone: TimingReport;
  /** Feeding the reference CNN's training step. */
  readonly training?: TimingReport & { readonly stepsPerSecond: number };
}

interface BenchSource {
  readonly name: string;
  readonly kind: BenchRow['kind'];
  /** A fresh pass over the source's batches. */
  open(): Promise<Stream<Batch>>;
}

/** The warm-up passes before each timed one: JIT, wasm compilation, file caches. */
const WARMUP_BATCHES = 3;

async function sourcesOf(o: BenchCommandOptions): Promise<BenchSource[]> {
  const out: BenchSource[] = [];
  const taskSource = (task: Task<any>, taskModule?: string): BenchSource => ({
    name: task.name,
    kind: 'task',
    async open() {
      if (o.workers <= 1) return generate(task, { seed: o.seed, batchSize: o.batchSize });
      const { generateInWorkers } = await import('../node/workers/generate.js');
      return generateInWorkers(task, { seed: o.seed, batchSize: o.batchSize, workers: o.workers, ...(taskModule ? { taskModule } : {}) });
    },
  });
  for (const name of o.tasks ?? []) out.push(taskSource(taskByName(name)));
  if (o.taskModule !== undefined) {
    const { tasks, url } = await tasksOfModule(o.taskModule);
    for (const task of tasks) out.push(taskSource(task, url));
  }
  if (o.idx !== undefined) {
    const dir = o.idx;
    const { mnist } = await import('../node/files/mnist.js');
    out.push({
      name: `idx:${dir}`,
      kind: 'idx',
      open: async () => arraySource(await mnist({ split: 'train', dir }), { batchSize: o.batchSize, seed: o.seed, epochs: Infinity }),
    });
  }
  if (o.imageFolder !== undefined) {
    const dir = o.imageFolder;
    const { imageFolder } = await import('../node/files/image-folder.js');
    out.push({ name: `image-folder:${dir}`, kind: 'image-folder', open: () => imageFolder(dir, { batchSize: o.batchSize, seed: o.seed, epochs: Infinity }) });
  }
  return out;
}

/** Pulls `count` batches through `timed`, calling `work` on each; returns the report. */
async function pass(stream: Stream<Batch>, count: number, work?: (b: Batch) => Promise<unknown>): Promise<{ report: TimingReport; shape: readonly number[] }> {
  const t = timed(stream.take(count));
  let shape: readonly number[] = [];
  for await (const b of t) {
    shape = b.sampleShape;
    if (work) await work(b);
  }
  const report = t.report();
  if (report.items < count)
    throw new OtfgenArgumentError('bench --batches', `the source ended after ${report.items} batches; ${count} were asked (give fewer)`);
  return { report, shape };
}

export async function benchCommand(o: BenchCommandOptions): Promise<BenchRow[]> {
  const given = o.tasks !== undefined || o.taskModule !== undefined || o.idx !== undefined || o.imageFolder !== undefined;
  const options = given ? o : { ...o, tasks: Object.keys(builtinTasks) };
  const sources = await sourcesOf(options);
  let harness: typeof import('../harness/index.js') | null = null;
  if (o.train) {
    await loadTraining('otfgen bench --train');
    await useBackend(o.backend);
    harness = await import('../harness/index.js');
  }
  await mkdir(o.out, { recursive: true });
  const rows: BenchRow[] = [];
  for (const s of sources) {
    const opened = performance.now();
    const first = await s.open();
    const openMs = performance.now() - opened;
    await pass(first, WARMUP_BATCHES);
    const alone = await pass(await s.open(), o.batches);
    let training: BenchRow['training'];
    if (harness) {
      const { createModel, SplitAdam, trainStep } = harness;
      const model = createModel({ seed: 1, inputShape: alone.shape });
      const optimizer = new SplitAdam(0.001);
      try {
        const step = (b: Batch) => trainStep(model, optimizer, b);
        await pass(await s.open(), WARMUP_BATCHES, step);
        const r = (await pass(await s.open(), o.batches, step)).report;
        training = { ...r, stepsPerSecond: (r.items * 1000) / (r.waitMs + r.workMs) };
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    }
    const row: BenchRow = {
      source: s.name,
      kind: s.kind,
      sampleShape: alone.shape,
      openMs: +openMs.toFixed(1),
      alone: alone.report,
      ...(training ? { training } : {}),
    };
    rows.push(row);
    const t = training ? `; training: ${training.stepsPerSecond.toFixed(1)} steps/s, data wait ${(training.dataWaitShare * 100).toFixed(1)}%` : '';
    console.log(`  ${s.name}: ${Math.round(alone.report.sourceSamplesPerSecond).toLocaleString('en-US')} samples/s alone${t}`);
  }
  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform },
    settings: { batches: o.batches, batchSize: o.batchSize, workers: o.workers, seed: o.seed, train: o.train, warmupBatches: WARMUP_BATCHES },
    sources: rows,
  };
  const table = markdownTable(
    ['source', 'samples/s alone', 'wait p50 ms', 'wait p99 ms', ...(o.train ? ['train steps/s', 'data wait share'] : [])],
    rows.map((r) => [
      r.source,
      Math.round(r.alone.sourceSamplesPerSecond),
      r.alone.latencyMs.p50.toFixed(3),
      r.alone.latencyMs.p99.toFixed(3),
      ...(r.training ? [r.training.stepsPerSecond.toFixed(1), `${(r.training.dataWaitShare * 100).toFixed(1)}%`] : []),
    ]),
  );
  console.log('\n' + table);
  await writeJsonAtomic(join(o.out, 'bench.json'), report);
  await writeFileAtomic(join(o.out, 'bench.md'), table + '\n');
  const written = [join(o.out, 'bench.json'), join(o.out, 'bench.md')];
  if (o.plots) written.push(...(await writeChart(join(o.out, 'bench'), benchChart(rows))));
  console.log(`wrote ${written.join(', ')}`);
  return rows;
}

/** A bar per source: samples per second alone, log scale (sources differ by orders of magnitude). */
function benchChart(rows: readonly BenchRow[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Samples per second, each source alone',
    width: 480,
    height: { step: 24 },
    data: { values: rows.map((r) => ({ source: r.source, rate: r.alone.sourceSamplesPerSecond })) },
    mark: 'bar',
    encoding: {
      y: { field: 'source', type: 'nominal', sort: '-x', title: null },
      x: { field: 'rate', type: 'quantitative', scale: { type: 'log' }, title: 'samples per second (log)' },
    },
  } as TopLevelSpec;
}
