/**
 * Warm-up sweeps: train the reference CNN for a fixed number of steps with a
 * share of them synthetic, over shares, warm-up tasks and seeds; keep every
 * finished run in a results file so an interrupted sweep resumes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleLength } from '../core/batch.js';
import { OtfgenArgumentError, OtfgenUnknownTaskError, checkFraction, checkInt, checkOptionalName } from '../core/errors.js';
import { arraySource } from '../sources/arrays.js';
import { writeFileAtomic } from '../node/writers/atomic-file.js';
import type { MnistDataset } from '../node/files/mnist.js';
import { syntheticBatches, warmupSchedule, type WarmupBlend } from '../stream/warmup.js';
import { Rng } from '../core/rng.js';
import { createModel, type Architecture } from './models.js';
import { heldOutOf, sourcesTakingParams, type SourceContext, type WarmupSource } from './warmup-source.js';
import { summarise } from './summarise.js';
import { dataAndParams, readResultsFile, writeResultsFile, type ResultsFile } from './results-file.js';
import { defaultLearningRate, train, type LearningRateSchedule, type StepRecord } from './train.js';

export interface SweepConfig {
  /** Warm-up tasks by name: keys of the sources given to {@link runSweep}. */
  readonly tasks: readonly string[];
  /** Synthetic shares of the total steps, each in [0, 1]. 0 is the baseline, run once per seed. */
  readonly shares: readonly number[];
  /** Seeds 1..seeds. */
  readonly seeds: number;
  /**
   * Run only this seed's runs (one of 1..seeds): what the CLI's `--jobs`
   * gives each child process. A results file it resumes keeps the rows of
   * the other seeds it holds.
   */
  readonly onlySeed?: number;
  readonly totalSteps: number;
  readonly batchSize: number;
  readonly architecture?: Architecture;
  readonly learningRate?: number;
  readonly lrSchedule?: LearningRateSchedule;
  readonly blend?: WarmupBlend;
  /** Evaluate on the first N test images (default all 10,000). */
  readonly evalLimit?: number;
  /**
   * Distinct real training images available to a run (a seeded random subset
   * of the training set), one set of runs per count. Default: all of them.
   */
  readonly realImages?: readonly number[];
  /**
   * Which real dataset the runs train and test on, as the results name it:
   * unset for MNIST, else the folder of IDX files given to the CLI's `--data`.
   * A label only (the caller loads the data); resuming a results file made
   * with other data is refused.
   */
  readonly data?: string;
  /**
   * Parameters of the procedural task (digits or fashion) under the warm-up
   * tasks built on one (see `SourceRecipe.procedural`), as a task's `params`
   * (e.g. `{ centre: 14 }`, or an `otfgen fit` report's). At least one task
   * must be; the others run as without. Resuming a results file made with
   * other params is refused.
   */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** One finished run. Times in milliseconds. */
export interface SweepRow {
  readonly task: string;
  readonly share: number;
  readonly seed: number;
  /** Distinct real training images the run could see. */
  readonly realImages?: number;
  readonly totalSteps: number;
  readonly batchSize: number;
  readonly finalAccuracy: number;
  readonly finalLoss: number;
  readonly wallMs: number;
  readonly dataMs: number;
  readonly computeMs: number;
  readonly backend: string;
}

/** A sweep's results file: its config and every finished run. */
export type SweepResults = ResultsFile<SweepConfig, SweepRow>;

/** The task name baseline runs (share 0) are stored under. */
export const BASELINE = 'baseline';

/** Checks a sweep config, naming the bad field. */
export function checkSweepConfig(config: SweepConfig, sources: Readonly<Record<string, WarmupSource>>): SweepConfig {
  if (!Array.isArray(config.tasks) || config.tasks.length === 0)
    throw new OtfgenArgumentError('sweep tasks', `expected one or more of ${Object.keys(sources).join(', ')}`);
  for (const t of config.tasks) if (!sources[t]) throw new OtfgenUnknownTaskError(t, Object.keys(sources), 'warm-up task');
  if (!Array.isArray(config.shares) || config.shares.length === 0) throw new OtfgenArgumentError('sweep shares', 'expected one or more shares in [0, 1]');
  config.shares.forEach((s, i) => checkFraction(`sweep shares[${i}]`, s));
  checkInt('sweep seeds', config.seeds, 1, 1000);
  if (config.onlySeed !== undefined) checkInt('sweep onlySeed', config.onlySeed, 1, config.seeds);
  checkInt('sweep totalSteps', config.totalSteps, 1);
  checkInt('sweep batchSize', config.batchSize, 1);
  config.realImages?.forEach((n, i) => checkInt(`sweep realImages[${i}]`, n, 10));
  checkOptionalName('sweep data', config.data, 'a folder name');
  sourcesTakingParams(sources, config.tasks, config.params, 'sweep params');
  return config;
}

/** One run of a sweep. `realImages` is absent when the run sees the whole training set. */
export interface PlannedRun {
  readonly task: string;
  readonly share: number;
  readonly seed: number;
  readonly realImages?: number;
}

/** The runs a config asks for: per seed (and real-image count), the baseline once, then each task x non-zero share. */
export function plannedRuns(config: SweepConfig): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (let seed = config.onlySeed ?? 1; seed <= (config.onlySeed ?? config.seeds); seed++) {
    for (const realImages of config.realImages ?? [undefined]) {
      const n = realImages === undefined ? {} : { realImages };
      if (config.shares.includes(0)) runs.push({ task: BASELINE, share: 0, seed, ...n });
      for (const task of config.tasks) for (const share of config.shares) if (share > 0) runs.push({ task, share, seed, ...n });
    }
  }
  return runs;
}

const sameRun = (r: SweepRow, p: PlannedRun, c: SweepConfig) =>
  r.task === p.task &&
  r.share === p.share &&
  r.seed === p.seed &&
  r.realImages === p.realImages &&
  r.totalSteps === c.totalSteps &&
  r.batchSize === c.batchSize;

/** The planned runs of a config that `rows` do not hold yet, in plan order. */
export function missingRuns(config: SweepConfig, rows: readonly SweepRow[]): PlannedRun[] {
  return plannedRuns(config).filter((p) => !rows.some((r) => sameRun(r, p, config)));
}

/** A seeded random subset of `count` samples of a dataset (the whole set when count covers it). */
export function subsetOf(data: MnistDataset, count: number, seed: number): MnistDataset {
  if (count >= data.count) return data;
  const rng = new Rng(`subset/${seed}`);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(data.count - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const n = sampleLength(data.sampleShape);
  const x = new Uint8Array(count * n),
    y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    x.set(data.x.subarray(order[i] * n, (order[i] + 1) * n), i * n);
    y[i] = data.y[order[i]];
  }
  return { ...data, x, y, count };
}

/**
 * What a sweep's runs depend on beyond what each row records (its task, share, seed, real images, steps
 * and batch size): a results file made with other settings is not resumed, or its runs would pass for
 * runs of these.
 */
function runSettings(c: Partial<SweepConfig>): Record<string, string> {
  const schedule = c.lrSchedule ?? 'constant';
  return {
    ...dataAndParams(c),
    architecture: `with the ${c.architecture ?? 'reference'} CNN`,
    schedule: `with learning-rate schedule ${schedule}`,
    learningRate: `with learning rate ${c.learningRate ?? defaultLearningRate(schedule)}`,
    blend: `with blend ${c.blend ?? 'switch'}`,
    evalLimit: c.evalLimit === undefined ? 'with evaluation on every test image' : `with evaluation on the first ${c.evalLimit} test images`,
  };
}

/** The rows of `outDir/results.json`, or none; refused if it holds runs made with other settings. */
export function readSweepResults(outDir: string, config: SweepConfig): Promise<SweepResults> {
  return readResultsFile<SweepConfig, SweepRow>(outDir, config, runSettings, 'sweep');
}

export interface SweepRunOptions {
  /** The warm-up sources by name: `config.tasks` names some of them (see {@link taskSource}). */
  readonly sources: Readonly<Record<string, WarmupSource>>;
  /**
   * The source made for the baseline runs (share 0), which take no batch from
   * it: it is made so that a baseline run is set up as the others are.
   * Default: the first task's.
   */
  readonly baseline?: WarmupSource;
  readonly train: MnistDataset;
  readonly test: MnistDataset;
  /** Folder for results.json, results.csv and plots. */
  readonly outDir: string;
  /** The backend's name, recorded in each row. */
  readonly backend: string;
  readonly signal?: AbortSignal;
  /** Called before each run and after each step. */
  readonly onProgress?: (e: PlannedRun & { run: number; runs: number; skipped: number; step?: StepRecord }) => void;
  /** Called after each finished run. */
  readonly onRun?: (row: SweepRow) => void;
}

/**
 * Runs what is missing from `outDir/results.json`, saving after every run.
 * Returns all rows (earlier and new). Interrupt with `signal`: the run under
 * way is dropped, finished ones are kept.
 */
export async function runSweep(config: SweepConfig, options: SweepRunOptions): Promise<SweepResults> {
  checkSweepConfig(config, options.sources);
  await mkdir(options.outDir, { recursive: true });
  const results = await readSweepResults(options.outDir, config);
  const planned = plannedRuns(config);
  const todo = missingRuns(config, results.rows);
  let done = 0;
  const heldOut = heldOutOf(options.train);
  for (const p of todo) {
    if (options.signal?.aborted) break;
    options.onProgress?.({ run: done, runs: todo.length, skipped: planned.length - todo.length, ...p });
    const model = createModel({ seed: p.seed, architecture: config.architecture });
    const schedule = { totalSteps: config.totalSteps, warmup: p.share, blend: config.blend ?? 'switch', batchSize: config.batchSize } as const;
    const ctx: SourceContext = {
      seed: p.seed,
      batchSize: config.batchSize,
      train: options.train,
      model,
      heldOut,
      batches: syntheticBatches(schedule),
      params: config.params,
    };
    const source = p.task === BASELINE ? (options.baseline ?? options.sources[config.tasks[0]]) : options.sources[p.task];
    const synthetic = source.make(ctx);
    const realData = p.realImages === undefined ? options.train : subsetOf(options.train, p.realImages, p.seed);
    const real = arraySource(realData, { batchSize: config.batchSize, seed: p.seed, epochs: Infinity });
    try {
      const r = await train({
        model,
        steps: warmupSchedule({ ...schedule, synthetic: synthetic.stream, real, seed: p.seed }),
        learningRate: config.learningRate,
        lrSchedule: config.lrSchedule,
        evaluation: { data: options.test, limit: config.evalLimit },
        controllers: synthetic.controllers,
        feedback: p.share > 0 ? synthetic.feedback : undefined,
        signal: options.signal,
        onStep: (step) => options.onProgress?.({ run: done, runs: todo.length, skipped: planned.length - todo.length, ...p, step }),
      });
      if (r.interrupted) break; // drop the partial run
      const row: SweepRow = {
        ...p,
        totalSteps: config.totalSteps,
        batchSize: config.batchSize,
        finalAccuracy: r.final!.accuracy,
        finalLoss: r.final!.loss,
        wallMs: Math.round(r.wallMs),
        dataMs: Math.round(r.dataMs),
        computeMs: Math.round(r.computeMs),
        backend: options.backend,
      };
      results.rows.push(row);
      await writeResultsFile(options.outDir, { config, rows: results.rows });
      options.onRun?.(row);
    } finally {
      synthetic.dispose?.();
      model.dispose();
    }
    done++;
  }
  return results;
}

/** Rows of this config, with the baseline repeated under each task so every task's line starts at share 0. */
export function rowsByTask(results: SweepResults): SweepRow[] {
  const { config } = results;
  const mine = results.rows.filter(
    (r) =>
      r.totalSteps === config.totalSteps &&
      r.batchSize === config.batchSize &&
      r.realImages === undefined &&
      (r.task === BASELINE || config.tasks.includes(r.task)),
  );
  const base = mine.filter((r) => r.task === BASELINE);
  return [...mine.filter((r) => r.task !== BASELINE), ...config.tasks.flatMap((task) => base.map((b) => ({ ...b, task })))];
}

/**
 * The largest synthetic share whose mean final accuracy is within `tolerance`
 * (default 1 point) of the 0% baseline's mean; null without a baseline.
 */
export function threshold(rows: readonly SweepRow[], task: string, tolerance = 0.01): number | null {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const base = rows.filter((r) => r.share === 0 && (r.task === BASELINE || r.task === task));
  if (base.length === 0) return null;
  const baseline = mean(base.map((r) => r.finalAccuracy));
  const shares = [...new Set(rows.filter((r) => r.task === task && r.share > 0).map((r) => r.share))].sort((a, b) => a - b);
  let best = 0;
  for (const s of shares) {
    const acc = mean(rows.filter((r) => r.task === task && r.share === s).map((r) => r.finalAccuracy));
    if (acc >= baseline - tolerance) best = s;
  }
  return best;
}

export interface SweepSummaryRow {
  readonly task: string;
  readonly share: number;
  readonly runs: number;
  readonly accuracy: number;
  readonly accuracyMin: number;
  readonly accuracyMax: number;
  readonly loss: number;
  readonly wallSeconds: number;
}

/** Mean results per task and share, the table the CLI prints. */
export function summariseSweep(results: SweepResults): SweepSummaryRow[] {
  const rows = rowsByTask(results);
  const acc = summarise(
    rows,
    (r) => r.task,
    (r) => r.share,
    (r) => r.finalAccuracy,
  );
  const loss = summarise(
    rows,
    (r) => r.task,
    (r) => r.share,
    (r) => r.finalLoss,
  );
  const wall = summarise(
    rows,
    (r) => r.task,
    (r) => r.share,
    (r) => r.wallMs / 1000,
  );
  return acc.map((a, i) => ({
    task: a.series,
    share: a.x,
    runs: a.n,
    accuracy: a.mean,
    accuracyMin: a.min,
    accuracyMax: a.max,
    loss: loss[i].mean,
    wallSeconds: wall[i].mean,
  }));
}

/** Writes every row of the results as outDir/results.csv. */
export async function writeResultsCsv(results: SweepResults, outDir: string): Promise<string> {
  const fields: (keyof SweepRow)[] = [
    'task',
    'share',
    'seed',
    'realImages',
    'totalSteps',
    'batchSize',
    'finalAccuracy',
    'finalLoss',
    'wallMs',
    'dataMs',
    'computeMs',
    'backend',
  ];
  const csv = [fields.join(','), ...results.rows.map((r) => fields.map((f) => r[f] ?? '').join(','))].join('\n') + '\n';
  await writeFileAtomic(join(outDir, 'results.csv'), csv);
  return join(outDir, 'results.csv');
}
