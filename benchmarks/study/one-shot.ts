/**
 * The one-shot MNIST experiment: a few real images per class, and nothing
 * else to train on; each method turns them into a stream (random warps, a
 * learned augmenter, a policy), and is judged by real-test accuracy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OtfgenArgumentError, OtfgenUnknownTaskError, checkInt, checkOptionalName, describe } from '../../src/core/errors.js';
import type { MnistDataset } from '../../src/node/files/mnist.js';
import { createModel } from '../../src/harness/models.js';
import { writeChart } from '../../src/cli/plots.js';
import { summarise } from '../../src/harness/summarise.js';
import { dataAndParams, readResultsFile, writeResultsFile, type ResultsFile } from '../../src/harness/results-file.js';
import { heldOutOf, sourcesTakingParams as takers } from '../../src/harness/warmup-source.js';
import { SOURCES } from './sources.js';
const sourcesTakingParams = (names: readonly string[], params: Readonly<Record<string, unknown>> | undefined, argument: string) =>
  takers(SOURCES, names, params, argument);
import { train } from '../../src/harness/train.js';

export interface OneShotConfig {
  /** Source names (ONE_SHOT_METHODS: keys of SOURCES) that make class batches. */
  readonly methods: readonly string[];
  /** Seeds 1..seeds; each seed picks other exemplars. */
  readonly seeds: number;
  /** Run only this seed (instead of 1..seeds): how `--jobs` splits a run over processes. */
  readonly onlySeed?: number;
  readonly steps: number;
  readonly batchSize: number;
  /** Real images per class (default 1). */
  readonly perClass?: number;
  /**
   * A method, among `methods`, that the summary compares the others with seed
   * by seed (the same exemplars): the mean difference and its standard error.
   */
  readonly baseline?: string;
  /**
   * Which real dataset the exemplars come from and the test is on, as the
   * results name it: unset for MNIST, else the folder of IDX files given to
   * the CLI's `--data`. A label only: the caller loads the data.
   */
  readonly data?: string;
  /**
   * Parameters of the procedural task (digits or fashion) under the methods
   * built on one (`digits`, `exemplars-digits`, ...), as a task's `params`
   * (e.g. `{ centre: 14 }`). At least one method must be; the others run as
   * without.
   */
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface OneShotRow {
  readonly method: string;
  readonly seed: number;
  readonly finalAccuracy: number;
  readonly finalLoss: number;
  readonly perClass: readonly number[];
  readonly wallMs: number;
  /** What the method's controllers chose, every 10th step (adaptive methods only). */
  readonly controls?: readonly { step: number; values: Readonly<Record<string, number>> }[];
}

/** A one-shot results file: its config and every finished run. */
export type OneShotResults = ResultsFile<OneShotConfig, OneShotRow>;

/**
 * Methods the one-shot experiment accepts: the sources built from exemplars,
 * and `digits` (procedural digits, no real image) as the reference for those
 * that add the procedural digits to the exemplars.
 */
export const ONE_SHOT_METHODS = Object.keys(SOURCES).filter((k) => SOURCES[k].notOneShot === undefined);

/**
 * The methods a one-shot run takes by default: those for MNIST of the committed run (the ones for another
 * dataset, such as `exemplars-fashion`, and those added since, such as `digits-fitted`, are asked for by name).
 */
export const ONE_SHOT_DEFAULT_METHODS = ONE_SHOT_METHODS.filter((k) => SOURCES[k].forData === undefined && SOURCES[k].notByDefault === undefined);

/** Checks a config's methods, baseline and numbers, naming what is wrong; returns the seeds it runs. */
export function checkOneShotConfig(config: OneShotConfig): number[] {
  if (!Array.isArray(config.methods) || config.methods.length === 0)
    throw new OtfgenArgumentError('one-shot methods', `expected one or more of ${ONE_SHOT_METHODS.join(', ')}`);
  for (const m of config.methods) {
    if (ONE_SHOT_METHODS.includes(m)) continue;
    throw new OtfgenUnknownTaskError(m, ONE_SHOT_METHODS, 'one-shot method', SOURCES[m]?.notOneShot);
  }
  if (config.baseline !== undefined && !config.methods.includes(config.baseline)) {
    throw new OtfgenArgumentError('one-shot baseline', `expected one of the methods run (${config.methods.join(', ')}), got ${describe(config.baseline)}`);
  }
  checkInt('one-shot seeds', config.seeds, 1, 1000);
  checkInt('one-shot steps', config.steps, 1);
  checkInt('one-shot batchSize', config.batchSize, 1);
  checkOptionalName('one-shot data', config.data, 'a folder name');
  sourcesTakingParams(config.methods, config.params, 'one-shot params');
  if (config.onlySeed !== undefined) return [checkInt('one-shot onlySeed', config.onlySeed, 1)];
  return Array.from({ length: config.seeds }, (_, i) => i + 1);
}

/**
 * What a one-shot run depends on beyond what each row records (its method and seed): a results file
 * made with other settings is not resumed, or its runs would pass for runs of these.
 */
function runSettings(c: Partial<OneShotConfig>): Record<string, string> {
  return {
    ...dataAndParams(c),
    steps: `of ${c.steps} steps`,
    batchSize: `with batches of ${c.batchSize}`,
    perClass: `with ${c.perClass ?? 1} real image(s) per class`,
  };
}

/** The rows of `outDir/results.json`, or none; refused if it holds runs made with other settings. */
export function readOneShotResults(outDir: string, config: OneShotConfig): Promise<OneShotResults> {
  return readResultsFile<OneShotConfig, OneShotRow>(outDir, config, runSettings, 'one-shot');
}

/** The method x seed runs of a config that `rows` do not hold yet, in the order they run. */
export function missingOneShotRuns(config: OneShotConfig, rows: readonly OneShotRow[]): { method: string; seed: number }[] {
  return checkOneShotConfig(config)
    .flatMap((seed) => config.methods.map((method) => ({ method, seed })))
    .filter((p) => !rows.some((r) => r.method === p.method && r.seed === p.seed));
}

/**
 * Runs every method x seed that `outDir/results.json` does not hold yet (a
 * run resumes), writing the file after each; returns all its rows. Interrupt
 * with `signal`: the run under way is dropped, finished ones are kept.
 */
export async function runOneShot(
  config: OneShotConfig,
  options: {
    train: MnistDataset;
    test: MnistDataset;
    outDir: string;
    signal?: AbortSignal;
    /** Called once, before the first run, with how many runs the results file already holds. */
    onStart?: (skipped: number) => void;
    onRun?: (row: OneShotRow) => void;
  },
): Promise<OneShotResults> {
  const seeds = checkOneShotConfig(config);
  const { rows } = await readOneShotResults(options.outDir, config);
  const todo = missingOneShotRuns(config, rows);
  options.onStart?.(seeds.length * config.methods.length - todo.length);
  const heldOut = heldOutOf(options.train);
  for (const { method, seed } of todo) {
    if (options.signal?.aborted) break;
    const model = createModel({ seed });
    const source = SOURCES[method].make({
      seed,
      batchSize: config.batchSize,
      train: options.train,
      perClass: config.perClass,
      model,
      heldOut,
      batches: config.steps,
      params: config.params,
    });
    try {
      const r = await train({
        model,
        steps: source.stream,
        totalSteps: config.steps,
        controllers: source.controllers,
        feedback: source.feedback,
        evaluation: { data: options.test, head: source.head },
        signal: options.signal,
      });
      if (r.interrupted) break; // drop the partial run
      const row: OneShotRow = {
        method,
        seed,
        finalAccuracy: r.final!.accuracy,
        finalLoss: r.final!.loss,
        perClass: r.final!.perClass.map((v) => +v.toFixed(4)),
        wallMs: Math.round(r.wallMs),
        ...(source.controllers?.length
          ? { controls: r.steps.filter((s) => s.step % 10 === 0).map((s) => ({ step: s.step, values: Object.assign({}, ...Object.values(s.controls ?? {})) })) }
          : {}),
      };
      rows.push(row);
      await writeResultsFile(options.outDir, { config, rows });
      options.onRun?.(row);
    } finally {
      source.dispose?.();
      model.dispose();
    }
  }
  return { config, rows };
}

/** Reads what runOneShot wrote, as it is. */
export async function loadOneShotResults(outDir: string): Promise<OneShotResults> {
  return JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as OneShotResults;
}

/** A method's accuracy minus the baseline's, seed by seed: the mean, its standard error (NaN for one seed) and the seeds compared. */
export interface PairedDifference {
  readonly mean: number;
  readonly standardError: number;
  readonly seeds: number;
}

/** One method's final accuracy over its seeds. */
export interface OneShotSummary {
  readonly method: string;
  readonly runs: number;
  readonly accuracy: number;
  readonly min: number;
  readonly max: number;
  /** Set when the summary has a baseline. */
  readonly vsBaseline?: PairedDifference;
}

/**
 * Mean, min and max final accuracy per method; with a baseline (the config's
 * unless given), also each method's paired difference from it.
 */
export function summariseOneShot(results: OneShotResults, baseline = results.config.baseline): OneShotSummary[] {
  const summary = summarise(
    results.rows,
    (r) => r.method,
    () => 0,
    (r) => r.finalAccuracy,
  ).map((s) => ({ method: s.series, runs: s.n, accuracy: s.mean, min: s.min, max: s.max }));
  if (baseline === undefined) return summary;
  const base = new Map(results.rows.filter((r) => r.method === baseline).map((r) => [r.seed, r.finalAccuracy]));
  if (base.size === 0)
    throw new OtfgenArgumentError(
      'one-shot baseline',
      `expected a method with runs in these results (${summary.map((s) => s.method).join(', ')}), got ${describe(baseline)}`,
    );
  return summary.map((s) => {
    const d = results.rows.filter((r) => r.method === s.method && base.has(r.seed)).map((r) => r.finalAccuracy - base.get(r.seed)!);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1);
    const vsBaseline: PairedDifference = { mean, standardError: Math.sqrt(variance / d.length), seeds: d.length };
    return { ...s, vsBaseline };
  });
}

/** The rows of the config's methods and seeds: a results file resumed with fewer keeps the others' rows, which its table and charts leave out. */
export function ofOneShotConfig(results: OneShotResults): OneShotResults {
  const { config } = results;
  const seeds = new Set(checkOneShotConfig(config));
  return { config, rows: results.rows.filter((r) => config.methods.includes(r.method) && seeds.has(r.seed)) };
}

/** Writes the accuracy chart and, for adaptive methods, what they chose per step (seed 1). */
export async function writeOneShotOutputs(results: OneShotResults, outDir: string): Promise<string[]> {
  const summary = summariseOneShot(results);
  // Both layers sort the methods by mean accuracy (by their own x, the rules would sort by min). A domain
  // that layers share sorts by count, min or max only: with one row a method, max is its accuracy.
  const byAccuracy = { field: 'accuracy', op: 'max', order: 'descending' } as const;
  const written = await writeChart(join(outDir, 'accuracy'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `One-shot ${results.config.data === undefined ? 'MNIST' : `on ${results.config.data}`}: real-test accuracy by method (${results.config.steps} steps, ${new Set(results.rows.map((r) => r.seed)).size} seeds)`,
    width: 420,
    height: 240,
    data: { values: summary },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'method', type: 'nominal', sort: byAccuracy, title: null, axis: { labelLimit: 300 } },
          x: { field: 'accuracy', type: 'quantitative', title: 'final accuracy (mean of seeds)' },
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: { y: { field: 'method', type: 'nominal', sort: byAccuracy }, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
      },
    ],
  } as never);
  const traces = results.rows
    .filter((r) => r.seed === 1 && r.controls)
    .flatMap((r) => r.controls!.flatMap((c) => Object.entries(c.values).map(([name, value]) => ({ method: r.method, name, step: c.step, value }))));
  if (traces.length) {
    written.push(
      ...(await writeChart(join(outDir, 'controls'), {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        title: 'What the adaptive methods chose per step (seed 1)',
        data: { values: traces },
        facet: { row: { field: 'method', type: 'nominal', title: null } },
        spec: {
          width: 420,
          height: 160,
          mark: 'line',
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'name', type: 'nominal', title: null },
          },
        },
        // Each method steers its own quantities: its own y scale, and its own colours and legend.
        resolve: { scale: { y: 'independent', color: 'independent' } },
      } as never)),
    );
  }
  return written;
}
