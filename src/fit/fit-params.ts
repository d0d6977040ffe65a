/**
 * fitParams: moves some of a task's parameter ranges so that its images'
 * statistics (ink, size, spread, slant, stroke thickness, texture) match a set
 * of real images, which need no labels. A seeded (1+1) evolution strategy over
 * the ranges' ends; every candidate is rendered from the same seed, so the
 * search compares parameters, not draws, and the same seed gives the same fit.
 */
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { checkParamValue, checkTask, paramSpec, type NumberParam, type ParamSpace, type ParamValues, type Task } from '../tasks/define-task.js';
import { renderBatch } from '../tasks/generate.js';
import {
  DEFAULT_STATISTICS,
  checkImages,
  checkStatistics,
  imageStatistics,
  quantiles,
  sampleIndices,
  spread,
  statisticDistance,
  type ImageArray,
  type ImageStatistic,
} from './image-statistics.js';

/**
 * Real images to fit to: unlabelled, or with labels for `perClass`. A dataset from `mnist` or `imageFolder` is one.
 * @inline
 */
export interface FitReference extends ImageArray {
  /** Class ids, one per image: needed by `perClass` only. */
  readonly y?: ArrayLike<number>;
}

/**
 * Options of {@link fitParams}.
 * @inline
 */
export interface FitParamsOptions<P extends ParamSpace> {
  /**
   * The number parameters whose ranges to fit. Name those the statistics can
   * see (size, aspect, stroke width, brightness, blur) and leave out those
   * that only add variety (noise, elastic warps, rotation): matching
   * distributions narrows what it cannot see, and variety helps a classifier.
   */
  readonly fit: readonly Extract<keyof P, string>[];
  /** The starting point and every other parameter's value (default: the task's defaults); a fixed value starts as [v, v]. */
  readonly params?: Partial<ParamValues<P>>;
  /** The statistics to match (default: all but the centre, centreY and centreX). */
  readonly statistics?: readonly ImageStatistic[];
  /**
   * Match each class's statistics to the same class's real images, averaged
   * over classes (default false: all images together). Needs a conditional
   * class task and `reference.y`.
   */
  readonly perClass?: boolean;
  /** Real images used, drawn by the seed (default 2,000; all when there are fewer). */
  readonly referenceSamples?: number;
  /** Generated images per candidate (default 2,000). */
  readonly samples?: number;
  /** Candidates tried (default 400; about 20 s for digits at the defaults on one core). */
  readonly iterations?: number;
  /** Seeds the search, the real images drawn and the generated ones (default 0). */
  readonly seed?: Seed;
  /** Called after each candidate with its index and the best distance so far (e.g. for a progress bar). */
  readonly onIteration?: (iteration: number, best: number) => void;
}

/**
 * A distance at the start of the search and at its end.
 * @inline
 */
export interface FitDistance {
  /** With the starting ranges. */
  readonly before: number;
  /** With the fitted ranges. */
  readonly after: number;
}

/** What {@link fitParams} returns. */
export interface FitParamsResult<P extends ParamSpace> {
  /** `options.params` with the fitted ranges in: pass it to `generate`. */
  readonly params: Partial<ParamValues<P>>;
  /** The fitted ranges alone, rounded to 4 decimals. */
  readonly fitted: Readonly<Record<string, readonly [number, number]>>;
  /** The mean over statistics (and classes) of each one's distance, at the start and at the end. */
  readonly distance: FitDistance;
  /** Per statistic: its distance (1-Wasserstein over the real images' standard deviation; averaged over classes with `perClass`) at the start and at the end. */
  readonly statistics: Readonly<Partial<Record<ImageStatistic, FitDistance>>>;
  /** The best distance after each candidate. */
  readonly history: readonly number[];
}

/**
 * Fits the ranges of `options.fit` so that the task's images' statistics
 * ({@link imageStatistics}) are distributed as the reference images' are.
 * Runs on the calling thread (CPU only, no tensors).
 * @example
 * ```ts
 * import { digits, fitParams, generate } from 'otfgen';
 * import { mnist } from 'otfgen/node';
 *
 * const real = await mnist({ split: 'train' });   // labels are not used
 * const { params, distance } = fitParams(digits, real, { fit: ['aspect', 'strokeWidth', 'scale', 'blur'], seed: 1 });
 * console.log(distance, params);                     // e.g. strokeWidth: [1.45, 3.31]
 * const stream = generate(digits, { seed: 1, params });
 * ```
 */
export function fitParams<P extends ParamSpace>(task: Task<P>, reference: FitReference, options: FitParamsOptions<P>): FitParamsResult<P> {
  checkKeys('fitParams options', options, ['fit', 'params', 'statistics', 'perClass', 'referenceSamples', 'samples', 'iterations', 'seed', 'onIteration']);
  checkTask('fitParams(task)', task);
  if (!options || typeof options !== 'object')
    throw new OtfgenArgumentError('fitParams options', "expected an object with at least { fit: ['paramName', ...] }");
  const [refCount, h, w, c] = checkImages('fitParams reference', reference);
  const shape = task.sampleShape;
  if (shape.length !== 3 || shape[0] !== h || shape[1] !== w || shape[2] !== c) {
    throw new OtfgenArgumentError(
      'fitParams reference.sampleShape',
      `task '${task.name}' makes [${shape.join(', ')}] samples; the reference images are [${h}, ${w}, ${c}]: fit to images of the task's shape`,
    );
  }
  const specs = checkFitKeys(task, options.fit);
  const statistics = options.statistics === undefined ? DEFAULT_STATISTICS : checkStatistics('fitParams options.statistics', options.statistics);
  const samples = checkInt('fitParams options.samples', options.samples ?? 2000, 10);
  const iterations = checkInt('fitParams options.iterations', options.iterations ?? 400, 0);
  const referenceSamples = checkInt('fitParams options.referenceSamples', options.referenceSamples ?? 2000, 10);
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function')
    throw new OtfgenArgumentError('fitParams options.onIteration', `expected a function, got ${describe(options.onIteration)}`);
  const base = (options.params ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || base === null)
    throw new OtfgenArgumentError('fitParams options.params', `expected an object of the task's parameters, got ${describe(base)}`);
  const seed = checkSeed('fitParams options.seed', options.seed ?? 0);
  // Every given value against its declared range (the fitted ones too: they are the start).
  for (const [key, value] of Object.entries(base)) {
    checkParamValue(`fitParams options.params.${key}`, paramSpec(task, key, `fitParams options.params.${key}`), value);
  }
  const rng = new Rng(seed);

  // The real images, as a subset the fit compares against.
  const pick = sampleIndices(refCount, referenceSamples, rng);
  const n = h * w * c;
  const refX = reference.x instanceof Uint8Array ? new Uint8Array(pick.length * n) : new Float32Array(pick.length * n);
  pick.forEach((k, i) => refX.set(reference.x.subarray(k * n, (k + 1) * n), i * n));
  const refStats = imageStatistics({ x: refX, sampleShape: [h, w, c] });
  const scales = statistics.map((s) => spread(refStats[s]));
  const classes = options.perClass ? checkPerClass(task, reference, refCount, pick) : null;
  const groupsOf = (labels: ArrayLike<number> | null) =>
    classes === null || labels === null ? [null] : Array.from({ length: classes }, (_, k) => Array.from(labels).flatMap((y, i) => (y === k ? [i] : [])));
  const refGroups = groupsOf(classes === null ? null : Array.from(pick, (k) => reference.y![k]));
  const refQuantiles = refGroups.map((g) => statistics.map((s) => quantiles(refStats[s], g ?? undefined)));

  // The search runs in [0, 1] per range end; a candidate's ranges are rounded to 4 decimals, as reported.
  const start = specs.flatMap(([key, spec]) => {
    const v = (base[key] ?? spec.default) as number | readonly [number, number];
    const [a, b] = typeof v === 'number' ? [v, v] : v;
    return [(a - spec.min) / (spec.max - spec.min || 1), (b - spec.min) / (spec.max - spec.min || 1)];
  });
  const rangesOf = (theta: readonly number[]): Record<string, [number, number]> =>
    Object.fromEntries(
      specs.map(([key, spec], i) => {
        const ends = [theta[2 * i], theta[2 * i + 1]].map((t) => Math.round((spec.min + t * (spec.max - spec.min)) * 1e4) / 1e4).sort((x, y) => x - y);
        return [key, [Math.max(spec.min, ends[0]), Math.min(spec.max, ends[1])]];
      }),
    );
  let into: ReturnType<typeof renderBatch> | undefined;
  const measure = (theta: readonly number[]): number[][] => {
    const params = { ...base, ...rangesOf(theta) } as Partial<ParamValues<P>>;
    into = renderBatch(task, { seed, index: 0, batchSize: samples, params, into });
    const stats = imageStatistics(into);
    const groups = groupsOf(classes === null ? null : into.y);
    return groups.map((g, k) =>
      statistics.map((s, j) =>
        g !== null && g.length === 0 ? missingClass(task, k) : statisticDistance(quantiles(stats[s], g ?? undefined), refQuantiles[k][j], scales[j]),
      ),
    );
  };
  const mean = (d: number[][]) => d.reduce((t, row) => t + row.reduce((a, b) => a + b, 0), 0) / (d.length * statistics.length);

  const first = measure(start);
  let theta = start,
    best = mean(first),
    bestDistances = first,
    sigma = 0.1;
  const history: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const candidate = theta.map((t) => Math.min(1, Math.max(0, t + sigma * rng.normal())));
    const d = measure(candidate);
    const m = mean(d);
    // The one-fifth rule: widen the steps after a success, narrow them slowly after a failure.
    if (m < best) {
      theta = candidate;
      best = m;
      bestDistances = d;
      sigma *= 1.5;
    } else sigma *= 1.5 ** -0.25;
    sigma = Math.min(0.3, Math.max(0.003, sigma));
    history.push(best);
    options.onIteration?.(it, best);
  }
  const fitted = rangesOf(theta);
  const perStatistic = (d: number[][], j: number) => d.reduce((t, row) => t + row[j], 0) / d.length;
  return {
    params: { ...base, ...fitted } as Partial<ParamValues<P>>,
    fitted,
    distance: { before: mean(first), after: best },
    statistics: Object.fromEntries(statistics.map((s, j) => [s, { before: perStatistic(first, j), after: perStatistic(bestDistances, j) }])),
    history,
  };
}

function checkFitKeys<P extends ParamSpace>(task: Task<P>, fit: unknown): [string, NumberParam][] {
  const numberKeys = Object.entries(task.params)
    .filter(([, s]) => s.type !== 'weights')
    .map(([k]) => k);
  if (!Array.isArray(fit) || fit.length === 0) {
    throw new OtfgenArgumentError(
      'fitParams options.fit',
      `expected a non-empty list of task '${task.name}' number parameters (${numberKeys.join(', ')}), got ${describe(fit)}`,
    );
  }
  return fit.map((key, i) => {
    const spec = (task.params as ParamSpace)[key as string];
    if (!spec || spec.type === 'weights') {
      throw new OtfgenArgumentError(
        `fitParams options.fit[${i}]`,
        `task '${task.name}' has no number parameter ${describe(key)}; it has: ${numberKeys.join(', ')}`,
      );
    }
    if (fit.indexOf(key) !== i) throw new OtfgenArgumentError(`fitParams options.fit[${i}]`, `'${key}' is named twice`);
    return [key as string, spec];
  });
}

function checkPerClass(task: Task<any>, reference: FitReference, count: number, pick: Uint32Array): number {
  if (task.target.kind !== 'class' || !task.conditional) {
    throw new OtfgenArgumentError('fitParams options.perClass', `needs a class task that draws each sample's class; task '${task.name}' does not`);
  }
  const classes = task.target.classes;
  const y = reference.y;
  if (!y || typeof y.length !== 'number' || y.length !== count) {
    throw new OtfgenArgumentError('fitParams reference.y', `perClass needs one label per reference image (${count}), got ${y ? `${y.length} values` : 'none'}`);
  }
  const seen = new Uint32Array(classes);
  for (const k of pick) {
    const label = y[k];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new OtfgenArgumentError(`fitParams reference.y[${k}]`, `expected a class id in 0..${classes - 1} for task '${task.name}', got ${describe(label)}`);
    }
    seen[label]++;
  }
  const missing = [...seen.keys()].filter((k) => seen[k] < 2);
  if (missing.length) {
    throw new OtfgenArgumentError(
      'fitParams reference.y',
      `perClass needs at least 2 reference images of each class; class ${missing.join(', ')} has fewer among the ${pick.length} drawn (raise referenceSamples, or fit all classes together)`,
    );
  }
  return classes;
}

function missingClass(task: Task<any>, k: number): never {
  throw new OtfgenArgumentError(
    'fitParams options.params.classWeights',
    `with perClass every class must be generated; class ${k} of task '${task.name}' has weight 0 or too few samples (raise samples)`,
  );
}
