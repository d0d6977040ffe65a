/**
 * warmupSchedule: splices a synthetic stream and a real stream by step, as a
 * warm-up (synthetic first, then real), with a hard switch or a blend.
 */
import { describeTarget, sameShape, sameTarget, type Batch, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkFraction, checkInt, describe } from '../core/errors.js';
import { checkSeed, type Seed } from '../core/rng.js';
import { mixCounted, splitCounts } from './mix.js';
import { Stream, checkAsyncIterable } from './stream.js';

/** How the warm-up hands over to real data: see {@link WarmupOptions.blend}. */
export type WarmupBlend = 'switch' | 'linear' | 'cosine';

/** Options of {@link warmupSchedule}. */
export interface WarmupOptions {
  /** The warm-up data, e.g. `generate(pixelCount, { seed })`. Must last the warm-up. */
  readonly synthetic: AsyncIterable<Batch>;
  /** The real data; must last the rest (use `epochs: Infinity` on an array source). */
  readonly real: AsyncIterable<Batch>;
  /** Steps in the whole run. */
  readonly totalSteps: number;
  /** The warm-up: a share of `totalSteps` in [0, 1], or `{ steps }`. */
  readonly warmup:
    | number
    | {
        /** Warm-up steps, in [0, totalSteps]. */
        readonly steps: number;
      };
  /**
   * 'switch' (default): whole synthetic batches during the warm-up, then real
   * ones, as the study did; synthetic and real may differ in target (the task
   * changes, and a trainer swaps its head). 'linear' or 'cosine': within the
   * warm-up window each batch mixes both, the synthetic share falling from 1 to
   * 0; both streams must then have the same target spec.
   */
  readonly blend?: WarmupBlend;
  /** Samples per blended batch (blend modes only; default 64). */
  readonly batchSize?: number;
  /** Seeds the order of samples within blended batches. */
  readonly seed?: Seed;
}

/** One step of a warm-up schedule. */
export interface WarmupStep {
  /** The step's index, from 0. */
  readonly step: number;
  /** 'warmup' for steps inside the warm-up window, then 'real'. */
  readonly phase: 'warmup' | 'real';
  /** Share of this batch's samples that are synthetic. */
  readonly syntheticShare: number;
  /** True on the first step whose target spec differs from the step before: swap the head here. */
  readonly taskChanged: boolean;
  /** The batch's target spec (the head to train). */
  readonly target: TargetSpec;
  /** The step's batch. */
  readonly batch: Batch;
}

/**
 * @example
 * ```ts
 * const schedule = warmupSchedule({
 *   synthetic: generate(pixelCount, { seed: 1 }),
 *   real: arraySource(await mnist({ split: 'train' }), { seed: 1, epochs: Infinity }),
 *   totalSteps: 500,
 *   warmup: 0.3,
 * });
 * for await (const { batch, taskChanged } of schedule) { if (taskChanged) swapHead(); await trainOn(batch); }
 * ```
 */
export function warmupSchedule(options: WarmupOptions): Stream<WarmupStep> {
  checkKeys('warmupSchedule options', options, ['synthetic', 'real', 'totalSteps', 'warmup', 'blend', 'batchSize', 'seed']);
  if (!options || typeof options !== 'object') throw new OtfgenArgumentError('warmupSchedule(options)', 'expected an options object');
  const { synthetic, real } = options;
  for (const [name, s] of [
    ['synthetic', synthetic],
    ['real', real],
  ] as const) {
    checkAsyncIterable(`warmupSchedule options.${name}`, s, 'an async iterable of batches, e.g. generate(task) or arraySource(data)');
  }
  const totalSteps = checkInt('warmupSchedule options.totalSteps', options.totalSteps, 1);
  const warmupSteps = resolveWarmup(options.warmup, totalSteps);
  const blend = checkBlend('warmupSchedule options.blend', options.blend);
  const batchSize = checkInt('warmupSchedule options.batchSize', options.batchSize ?? 64, 1);
  const seed = checkSeed('warmupSchedule options.seed', options.seed ?? 0);
  const check = shapeChecker(blend !== 'switch');

  if (blend === 'switch') {
    return new Stream<WarmupStep>(async function* () {
      let prev: TargetSpec | null = null;
      let step = 0;
      const phases = [
        { source: synthetic, name: 'synthetic', steps: warmupSteps, share: 1, phase: 'warmup' },
        { source: real, name: 'real', steps: totalSteps - warmupSteps, share: 0, phase: 'real' },
      ] as const;
      for (const p of phases) {
        if (p.steps === 0) continue;
        let n = 0;
        for await (const batch of p.source) {
          check(p.name, batch);
          const taskChanged = prev !== null && !sameTarget(prev, batch.target);
          prev = batch.target;
          yield { step: step++, phase: p.phase, syntheticShare: p.share, taskChanged, target: batch.target, batch };
          if (++n === p.steps) break;
        }
        if (n < p.steps) throw endedEarly(p.name, n, p.steps);
      }
    }, totalSteps);
  }

  const shareAt = (t: number): number => blendShare(t, warmupSteps, blend);
  return new Stream<WarmupStep>(async function* () {
    const checkedSynthetic = checkedStream(synthetic, 'synthetic', check);
    const checkedReal = checkedStream(real, 'real', check);
    const mixed = mixCounted([checkedSynthetic, checkedReal], (k) => [shareAt(k), 1 - shareAt(k)], { batchSize, seed });
    let step = 0;
    for await (const { batch, counts } of mixed) {
      if (batch.size < batchSize) throw endedEarly(counts[0] < Math.round(shareAt(step) * batchSize) ? 'synthetic' : 'real', step, totalSteps);
      yield {
        step,
        phase: step < warmupSteps ? 'warmup' : 'real',
        syntheticShare: counts[0] / batch.size,
        taskChanged: false,
        target: batch.target,
        batch,
      };
      if (++step === totalSteps) return;
    }
    // Ended between batches: the one this step needs ran out (either, mid-blend).
    const share = shareAt(step);
    throw endedEarly(share === 1 ? 'synthetic' : share === 0 ? 'real' : 'synthetic or real', step, totalSteps);
  }, totalSteps);
}

/** A blend option, 'switch' when absent, or a typed error naming `name`. */
function checkBlend(name: string, blend: unknown): WarmupBlend {
  if (blend === undefined) return 'switch';
  if (blend !== 'switch' && blend !== 'linear' && blend !== 'cosine')
    throw new OtfgenArgumentError(name, `expected 'switch', 'linear' or 'cosine', got ${describe(blend)}`);
  return blend;
}

/** A blend's synthetic share at step `t` of a warm-up of `warmupSteps`: from 1 at the first step towards 0 at its end, 0 after. */
function blendShare(t: number, warmupSteps: number, blend: 'linear' | 'cosine'): number {
  if (t >= warmupSteps) return 0;
  const f = t / warmupSteps;
  return blend === 'linear' ? 1 - f : 0.5 * (1 + Math.cos(Math.PI * f));
}

/**
 * How many batches a schedule with these options takes from its synthetic
 * stream: the warm-up's steps with `'switch'`; with a blend, as many as hold
 * the synthetic samples of its mixed batches (about half the warm-up's steps).
 * For what is fixed in advance over the synthetic batches, such as a
 * curriculum that should end with the warm-up.
 *
 * @param syntheticBatchSize samples per batch of the synthetic stream (default: the schedule's `batchSize`)
 * @example
 * ```ts
 * const n = syntheticBatches({ totalSteps: 500, warmup: 0.3, blend: 'linear' }); // 76, for 150 warm-up steps
 * const synthetic = generate(digits, { seed: 1, params: (i) => ({ slant: [-40 * Math.min(1, i / (n - 1)), 40 * Math.min(1, i / (n - 1))] }) });
 * ```
 */
export function syntheticBatches(
  options: Pick<WarmupOptions, 'totalSteps' | 'warmup' | 'blend' | 'batchSize'>,
  syntheticBatchSize: number = options.batchSize ?? 64,
): number {
  const totalSteps = checkInt('syntheticBatches options.totalSteps', options.totalSteps, 1);
  const warmupSteps = resolveWarmup(options.warmup, totalSteps);
  const blend = checkBlend('syntheticBatches options.blend', options.blend);
  if (blend === 'switch') return warmupSteps;
  const batchSize = checkInt('syntheticBatches options.batchSize', options.batchSize ?? 64, 1);
  checkInt('syntheticBatches syntheticBatchSize', syntheticBatchSize, 1);
  let samples = 0;
  // The schedule's own split of each mixed batch (mixCounted's), so the count is exact.
  for (let t = 0; t < warmupSteps; t++) {
    const share = blendShare(t, warmupSteps, blend);
    samples += splitCounts([share, 1 - share], batchSize)[0];
  }
  return Math.ceil(samples / syntheticBatchSize);
}

/** Steps in the warm-up window, from a share or `{ steps }`. */
export function resolveWarmup(warmup: WarmupOptions['warmup'], totalSteps: number): number {
  if (typeof warmup === 'number') return Math.round(checkFraction('warmupSchedule options.warmup', warmup) * totalSteps);
  if (warmup && typeof warmup === 'object') return checkInt('warmupSchedule options.warmup.steps', warmup.steps, 0, totalSteps);
  throw new OtfgenArgumentError('warmupSchedule options.warmup', `expected a share in [0, 1] or { steps }, got ${describe(warmup)}`);
}

function endedEarly(name: string, got: number, want: number): Error {
  return new OtfgenArgumentError(
    `warmupSchedule options.${name}`,
    `the stream ended after ${got} batches but the schedule needs ${want}; make it endless (generate(...) is; arraySource takes epochs: Infinity)`,
  );
}

/** Checks every batch against the first one seen: same sample shape, and same target when blending. */
function shapeChecker(sameTargets: boolean) {
  let first: { name: string; batch: Batch } | null = null;
  return (name: string, batch: Batch): void => {
    if (!first) {
      first = { name, batch };
      return;
    }
    const f = first.batch;
    if (!sameShape(f.sampleShape, batch.sampleShape)) {
      throw new OtfgenArgumentError(
        `warmupSchedule options.${name}`,
        `sample shape [${batch.sampleShape.join(', ')}] differs from the ${first.name} stream's [${f.sampleShape.join(', ')}]; a model takes one input shape`,
      );
    }
    if (sameTargets && !sameTarget(f.target, batch.target)) {
      throw new OtfgenArgumentError(
        `warmupSchedule options.${name}`,
        `target ${describeTarget(batch.target)} differs from the ${first.name} stream's ${describeTarget(f.target)}; ` +
          "blended batches need one target kind: use blend 'switch' for a task change",
      );
    }
  };
}

async function* checkedStream(source: AsyncIterable<Batch>, name: string, check: (name: string, b: Batch) => void): AsyncGenerator<Batch> {
  for await (const b of source) {
    check(name, b);
    yield b;
  }
}
