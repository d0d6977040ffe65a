/**
 * What every family of named study sources shares: the recipe type, the warp
 * ranges, and the streams they are built from (the run's exemplars, the
 * procedural tasks under the run's params, mixes of the two).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../../src/core/batch.js';
import { mix, type MixWeights } from '../../../src/stream/mix.js';
import type { Stream } from '../../../src/stream/stream.js';
import { exemplarTask, pickExemplars, type ExemplarParams, type ExemplarTaskOptions } from '../../../src/tasks/exemplars.js';
import type { ParamSpace, ParamValues, WithClassWeights } from '../../../src/tasks/define-task.js';
import { generate, type ParamsOption } from '../../../src/tasks/generate.js';
import { digits, type DigitParams } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import type { HarnessModel } from '../../../src/harness/models.js';
import type { SourceContext, WarmupSource } from '../../../src/harness/warmup-source.js';

/** A named study source: a warm-up source with what the one-shot study needs to know of it. */
export interface SourceRecipe extends WarmupSource {
  readonly description: string;
  /** Why one-shot training cannot use this source; unset for the ones it can (ONE_SHOT_METHODS). */
  readonly notOneShot?: string;
  /**
   * The real dataset whose classes its procedural items draw, when not MNIST's digits
   * ('Fashion-MNIST'): a one-shot method for `--data`, left out of one-shot's default methods.
   */
  readonly forData?: string;
  /** Why one-shot's default methods leave it out, for a source it can use but runs only when asked for by name. */
  readonly notByDefault?: string;
}

/** A family of recipes by name. */
export type Recipes = Readonly<Record<string, SourceRecipe>>;

/** notByDefault of the methods outside the one-shot study's main table. */
export const BY_NAME = "run only when named: the default methods are the one-shot study's main table";
/** notByDefault of the methods that read unlabelled real images. */
export const BY_NAME_UNLABELLED = 'run only when named: it reads unlabelled real images too';
/** notOneShot of the sources steered by held-out real images. */
export const HELD_OUT = 'a warm-up task steered by held-out real images, which one-shot training does not have';

export const CLASSES = { kind: 'class', classes: 10 } as const;

/** The warp bounds shared by the random and the learned exemplar warps, so they compare fairly. */
export const WARP_BOUNDS = { rotation: 30, scale: 0.2, shear: 15, shift: 3, elastic: 2 } as const;
export const noWarp = { rotation: 0, scale: 1, shear: 0, shift: 0 } as const;
/** Random affine warp ranges: the bounds above times `f`. */
export function affineAt(f: number) {
  const r = WARP_BOUNDS;
  return {
    rotation: [-r.rotation * f, r.rotation * f],
    scale: [1 - r.scale * f, 1 + r.scale * f],
    shear: [-r.shear * f, r.shear * f],
    shift: r.shift * f,
  } as const;
}
/** The ranges of exemplars-wide. */
export const randomWarp = affineAt(1);
/** exemplars-elastic's draws: those of exemplars-wide, and the elastic warp. */
export const elasticWarp = { ...randomWarp, elastic: WARP_BOUNDS.elastic } as const;
/** exemplars-thick's draws: random affine warps with the ranges times `f`, and the thickness change. */
export function thickAt(f: number) {
  return { ...affineAt(f), thickness: [-1, 1] } as const;
}

/** The context's real exemplars: `perClass` images of each class (default 1), picked by its seed. */
export const pickedExemplars = (ctx: SourceContext) => pickExemplars(ctx.train, { perClass: ctx.perClass ?? 1, seed: ctx.seed });
export const exemplarsOf = (ctx: SourceContext, options?: ExemplarTaskOptions) => exemplarTask(pickedExemplars(ctx), options);

/** A model's class head as a classifier the adaptive sources call (inference mode: dropout off). */
export function classifierOf(model: HarnessModel): (images: tf.Tensor4D) => tf.Tensor {
  const net = model.modelFor(CLASSES);
  return (x) => net.apply(x, { training: false }) as tf.Tensor;
}

/** The exemplars under random draws from `params` (the task's defaults without). */
export const warpedExemplars = (ctx: SourceContext, params?: ParamsOption<WithClassWeights<ExemplarParams>>, options?: ExemplarTaskOptions) =>
  generate(exemplarsOf(ctx, options), { seed: ctx.seed, batchSize: ctx.batchSize, params });

/** A source's own `params` (fixed, or a function of the batch) set over the context's: its own win where both set a key. */
function onTop<P extends ParamSpace>(ctx: SourceContext, own: ParamsOption<P> | undefined): ParamsOption<P> | undefined {
  const base = ctx.params as Partial<ParamValues<P>> | undefined;
  if (base === undefined || own === undefined) return own ?? base;
  return typeof own === 'function' ? (i) => ({ ...base, ...own(i) }) : { ...base, ...own };
}

/** Procedural digits drawn from the context's params and `params` over them: the stream of the `digits` source. */
export const proceduralDigits = (ctx: SourceContext, params?: ParamsOption<WithClassWeights<DigitParams>>) =>
  generate(digits, { seed: ctx.seed, batchSize: ctx.batchSize, params: onTop(ctx, params) });

/** Procedural fashion items drawn from the context's params: the stream of the `fashion` source. */
export const proceduralFashion = (ctx: SourceContext) => generate(fashion, { seed: ctx.seed, batchSize: ctx.batchSize, params: onTop(ctx, undefined) });

/** A procedural stream and the exemplars under `exemplarParams` (the same draws as those sources), mixed by `weights`. */
export function withExemplars(
  procedural: Stream<Batch>,
  ctx: SourceContext,
  exemplarParams: ParamsOption<WithClassWeights<ExemplarParams>> | undefined,
  weights: MixWeights,
): Stream<Batch> {
  return mix([procedural, warpedExemplars(ctx, exemplarParams)], weights, { batchSize: ctx.batchSize, seed: ctx.seed });
}

/** The streams of `digits` and of the exemplars under `exemplarParams`, mixed by `weights`. */
export const digitsAndExemplars = (ctx: SourceContext, exemplarParams: ParamsOption<WithClassWeights<ExemplarParams>> | undefined, weights: MixWeights) =>
  withExemplars(proceduralDigits(ctx), ctx, exemplarParams, weights);
