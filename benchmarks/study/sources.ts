/**
 * Synthetic training sources the experiments know by name: static tasks, and
 * adaptive ones (a learned augmenter, class reweighting, a policy) that
 * steer themselves by the model under training.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../src/core/batch.js';
import { learnedAugmenter } from '../../src/adaptive/learned.js';
import { classReweighting } from '../../src/adaptive/class-reweighting.js';
import { policyController } from '../../src/adaptive/policy.js';
import { mixPolicy } from '../../src/adaptive/mix-policy.js';
import { strengthController } from '../../src/adaptive/strength.js';
import { selfTraining } from '../../src/adaptive/self-training.js';
import { cutMix } from '../../src/image/cutmix.js';
import { learnDeformations, learnExemplarDeformations } from '../../src/adaptive/deformations.js';
import type { Deformations, ExemplarDeformations } from '../../src/tasks/exemplars.js';
import { mix, type MixWeights } from '../../src/stream/mix.js';
import { Rng } from '../../src/core/rng.js';
import type { Controller } from '../../src/adaptive/controller.js';
import type { Stream } from '../../src/stream/stream.js';
import { exemplarTask, pickExemplars, type ExemplarParams, type ExemplarTaskOptions, type Exemplars } from '../../src/tasks/exemplars.js';
import type { ParamSpace, ParamValues, Task, WithClassWeights } from '../../src/tasks/define-task.js';
import { generate, renderBatch, type ParamsOption } from '../../src/tasks/generate.js';
import { pixelCountTask } from '../../src/tasks/pixel-count.js';
import { MNIST_DIGIT_PARAMS, digits, type DigitParams } from '../../src/tasks/digits/index.js';
import { fashion } from '../../src/tasks/fashion/index.js';
import { logitsTarget } from '../../src/harness/distil.js';
import { createModel, type HarnessModel } from '../../src/harness/models.js';
import { heldOutOf, type SourceContext, type SyntheticSource, type WarmupSource } from '../../src/harness/warmup-source.js';

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

const CLASSES = { kind: 'class', classes: 10 } as const;

/** The warp bounds shared by the random and the learned exemplar warps, so they compare fairly. */
export const WARP_BOUNDS = { rotation: 30, scale: 0.2, shear: 15, shift: 3, elastic: 2 } as const;
const noWarp = { rotation: 0, scale: 1, shear: 0, shift: 0 } as const;
/** Random affine warp ranges: the bounds above times `f`. */
function affineAt(f: number) {
  const r = WARP_BOUNDS;
  return {
    rotation: [-r.rotation * f, r.rotation * f],
    scale: [1 - r.scale * f, 1 + r.scale * f],
    shear: [-r.shear * f, r.shear * f],
    shift: r.shift * f,
  } as const;
}
/** The ranges of exemplars-wide. */
const randomWarp = affineAt(1);
/** exemplars-elastic's draws: those of exemplars-wide, and the elastic warp. */
const elasticWarp = { ...randomWarp, elastic: WARP_BOUNDS.elastic } as const;
/** exemplars-thick's draws: random affine warps with the ranges times `f`, and the thickness change. */
function thickAt(f: number) {
  return { ...affineAt(f), thickness: [-1, 1] } as const;
}

/** exemplars-ramp's strength at batch `i` of `batches`: 0.1 at the first, rising linearly to 0.7 at the last, and held there. */
export function rampStrength(i: number, batches: number): number {
  const last = Math.max(1, batches - 1);
  return 0.1 + (0.6 * Math.min(i, last)) / last;
}

/** The context's real exemplars: `perClass` images of each class (default 1), picked by its seed. */
const pickedExemplars = (ctx: SourceContext) => pickExemplars(ctx.train, { perClass: ctx.perClass ?? 1, seed: ctx.seed });
const exemplarsOf = (ctx: SourceContext, options?: ExemplarTaskOptions) => exemplarTask(pickedExemplars(ctx), options);

/** A model's class head as a classifier the adaptive sources call (inference mode: dropout off). */
function classifierOf(model: HarnessModel): (images: tf.Tensor4D) => tf.Tensor {
  const net = model.modelFor(CLASSES);
  return (x) => net.apply(x, { training: false }) as tf.Tensor;
}

/** The exemplars under random draws from `params` (the task's defaults without). */
const warpedExemplars = (ctx: SourceContext, params?: ParamsOption<WithClassWeights<ExemplarParams>>, options?: ExemplarTaskOptions) =>
  generate(exemplarsOf(ctx, options), { seed: ctx.seed, batchSize: ctx.batchSize, params });

/** Procedural digits exemplars-deformed learns its deformations from, and how. */
const DEFORMATION_SHAPES = 3000;
const DEFORMATION_OPTIONS = { pairsPerClass: 100, grid: 5 } as const;
/** The last deformations learnt, by what they were learnt from: the methods of one seed share them (learning takes about 35 s). */
let lastDeformations: { key: string; deformations: Deformations } | null = null;
/** The same for exemplars-registered's deformations, learnt for the seed's exemplars: the last per training set they are picked from. */
const lastExemplarDeformations = new WeakMap<object, { key: string; deformations: ExemplarDeformations }>();

/** The procedural shapes (digits unless said) both kinds of deformation are learnt from: the context's seed and params. */
const deformationShapes = (ctx: SourceContext, task: Task<any> = digits) =>
  renderBatch(task, { seed: ctx.seed, index: 0, batchSize: DEFORMATION_SHAPES, params: ctx.params as Partial<ParamValues<ParamSpace>> | undefined });

/**
 * Deformations learnt from pairs of procedural digits drawn by the context's
 * seed and params, on the current backend (its floating point decides the last
 * bits, as for the other learned sources).
 */
export function digitDeformations(ctx: SourceContext): Deformations {
  const key = JSON.stringify([ctx.seed, ctx.params ?? {}, tf.getBackend()]);
  if (lastDeformations?.key !== key) {
    lastDeformations = { key, deformations: learnDeformations(deformationShapes(ctx), { ...DEFORMATION_OPTIONS, seed: ctx.seed }) };
  }
  return lastDeformations.deformations;
}

/**
 * Deformations that move each of the context's exemplars towards procedural
 * shapes of its class, digits or `task`'s (learnExemplarDeformations: each
 * registered onto DEFORMATION_OPTIONS.pairsPerClass of them, drawn as for
 * digitDeformations).
 */
export function exemplarDeformations(ctx: SourceContext, task: Task<any> = digits): ExemplarDeformations {
  const key = JSON.stringify([task.name, ctx.seed, ctx.params ?? {}, ctx.perClass ?? 1, tf.getBackend()]);
  let last = lastExemplarDeformations.get(ctx.train);
  if (last?.key !== key) {
    const options = { perExemplar: DEFORMATION_OPTIONS.pairsPerClass, grid: DEFORMATION_OPTIONS.grid, seed: ctx.seed };
    last = { key, deformations: learnExemplarDeformations(pickedExemplars(ctx), deformationShapes(ctx, task), options) };
    lastExemplarDeformations.set(ctx.train, last);
  }
  return last.deformations;
}

/**
 * The lattices of the -random controls: as many per class (or exemplar) as
 * `learnt` has, of the same size, but random: each move Gaussian with the
 * root mean square of the class's (exemplar's) learnt moves. What the learnt
 * ones add beyond their number and size.
 */
export function randomLattices<D extends Deformations | ExemplarDeformations>(learnt: D, seed: number): D {
  const rng = Rng.forIndex(seed, 0, 'random-lattices');
  const randomise = (lattices: Float32Array) => {
    const rms = Math.sqrt(lattices.reduce((sum, v) => sum + v * v, 0) / lattices.length);
    return Float32Array.from(lattices, () => rms * rng.normal());
  };
  return 'byExemplar' in learnt
    ? { ...learnt, byExemplar: learnt.byExemplar.map(randomise) }
    : { ...learnt, byClass: (learnt as Deformations).byClass.map(randomise) };
}

/** A source's own `params` (fixed, or a function of the batch) set over the context's: its own win where both set a key. */
function onTop<P extends ParamSpace>(ctx: SourceContext, own: ParamsOption<P> | undefined): ParamsOption<P> | undefined {
  const base = ctx.params as Partial<ParamValues<P>> | undefined;
  if (base === undefined || own === undefined) return own ?? base;
  return typeof own === 'function' ? (i) => ({ ...base, ...own(i) }) : { ...base, ...own };
}

/** Procedural digits drawn from the context's params and `params` over them: the stream of the `digits` source. */
const proceduralDigits = (ctx: SourceContext, params?: ParamsOption<WithClassWeights<DigitParams>>) =>
  generate(digits, { seed: ctx.seed, batchSize: ctx.batchSize, params: onTop(ctx, params) });

/** Procedural fashion items drawn from the context's params: the stream of the `fashion` source. */
const proceduralFashion = (ctx: SourceContext) => generate(fashion, { seed: ctx.seed, batchSize: ctx.batchSize, params: onTop(ctx, undefined) });

/** A procedural stream and the exemplars under `exemplarParams` (the same draws as those sources), mixed by `weights`. */
function withExemplars(
  procedural: Stream<Batch>,
  ctx: SourceContext,
  exemplarParams: ParamsOption<WithClassWeights<ExemplarParams>> | undefined,
  weights: MixWeights,
): Stream<Batch> {
  return mix([procedural, warpedExemplars(ctx, exemplarParams)], weights, { batchSize: ctx.batchSize, seed: ctx.seed });
}

/** The streams of `digits` and of the exemplars under `exemplarParams`, mixed by `weights`. */
const digitsAndExemplars = (ctx: SourceContext, exemplarParams: ParamsOption<WithClassWeights<ExemplarParams>> | undefined, weights: MixWeights) =>
  withExemplars(proceduralDigits(ctx), ctx, exemplarParams, weights);

/** A recipe for warpedExemplars with fixed params. */
function randomExemplars(description: string, params?: ParamsOption<WithClassWeights<ExemplarParams>>): SourceRecipe {
  return { description, make: (ctx) => ({ stream: warpedExemplars(ctx, params) }) };
}

/** exemplars-thick-x`f`: the thickness change, and random warps `f` times the wide ranges. */
function thickRecipe(f: number, note = ''): SourceRecipe {
  const r = affineAt(f);
  const n = (v: number) => +v.toFixed(3);
  return randomExemplars(
    `as exemplars-thick, with warp ranges ${f} times as wide (rotation ±${n(r.rotation[1])}°, scale ${n(r.scale[0])}-${n(r.scale[1])}, shear ±${n(r.shear[1])}°, shift ±${n(r.shift)} px)${note}`,
    thickAt(f),
  );
}

/** When exemplars-self-training reads its unlabelled images (as shares of its batches) and how many of them join each class (as shares of their number over the classes). */
const SELF_TRAINING = [
  { at: 0.2, perClass: 0.1 },
  { at: 0.4, perClass: 0.2 },
  { at: 0.6, perClass: 0.35 },
  { at: 0.8, perClass: 0.5 },
] as const;
/** How many of the last training images exemplars-self-training reads (their labels unused). */
const SELF_TRAINING_UNLABELLED = 2000;
const SELF_TRAINING_READINGS = `after ${SELF_TRAINING.map((s) => `${Math.round(100 * s.at)}%`).join(', ')} of the steps, up to ${SELF_TRAINING.map((s) => Math.round((s.perClass * SELF_TRAINING_UNLABELLED) / 10)).join(', ')} images per class`;

/** Every named source. */
const HELD_OUT = 'a warm-up task steered by held-out real images, which one-shot training does not have';

export const SOURCES: Readonly<Record<string, SourceRecipe>> = {
  'pixel-count': {
    description: 'random binary images, target the share of on pixels (regression; the head is swapped after warm-up)',
    notOneShot: 'a warm-up task whose labels are pixel counts, not digits',
    make: ({ seed, batchSize }) => ({ stream: generate(pixelCountTask({ target: 'fraction' }), { seed, batchSize }) }),
  },
  digits: {
    procedural: digits,
    description: 'procedural digits (the digits task, default parameters): the same 10 classes, no real image',
    make: (ctx) => ({ stream: proceduralDigits(ctx) }),
  },
  'digits-fitted': {
    procedural: digits,
    description: "procedural digits with MNIST_DIGIT_PARAMS (centre 14 and ranges fitted to MNIST's training images), no real image; --params goes on top",
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({ stream: proceduralDigits({ ...ctx, params: { ...MNIST_DIGIT_PARAMS, ...ctx.params } }) }),
  },
  fashion: {
    procedural: fashion,
    description: "procedural fashion items (the fashion task, default parameters): Fashion-MNIST's 10 classes, no real image (for --data with Fashion-MNIST)",
    forData: 'Fashion-MNIST',
    make: (ctx) => ({ stream: proceduralFashion(ctx) }),
  },
  exemplars: randomExemplars('one real MNIST image per class under random affine warps (rotation ±15°, scale 0.9-1.1, shear ±10°, shift ±2 px)'),
  'exemplars-plain': randomExemplars('the real exemplars as they are, no warp', noWarp),
  'exemplars-wide': randomExemplars(
    `real exemplars under random warps as wide as the learned augmenter's bounds (rotation ±${WARP_BOUNDS.rotation}°, scale ±${WARP_BOUNDS.scale}, shear ±${WARP_BOUNDS.shear}°, shift ±${WARP_BOUNDS.shift} px)`,
    randomWarp,
  ),
  'exemplars-elastic': randomExemplars(
    `real exemplars under random affine warps as wide as exemplars-wide plus a random elastic warp (3x3 lattice, points move up to ${WARP_BOUNDS.elastic} px)`,
    elasticWarp,
  ),
  'exemplars-thick': randomExemplars(
    'as exemplars-wide, and a random stroke thickness change per sample (thickness in [-1, 1]: thinned to thickened by a pixel each side)',
    thickAt(1),
  ),
  'exemplars-policy-thick': {
    description: 'as exemplars-policy, with the stroke thickness change among the steered ranges ([-1, 1], 4 bins)',
    make: (ctx) => {
      const task = exemplarsOf(ctx);
      const policy = policyController(task, {
        steer: { rotation: randomWarp.rotation, scale: randomWarp.scale, shear: randomWarp.shear, shift: [0, randomWarp.shift], thickness: [-1, 1] },
        seed: ctx.seed,
      });
      return { stream: generate(task, { seed: ctx.seed, batchSize: ctx.batchSize, params: policy.params }), controllers: [policy] };
    },
  },
  'exemplars-thick-x1.25': thickRecipe(1.25, ': the best of the sizes 1, 1.25, 1.5 and 2, picked by real-test accuracy'),
  'exemplars-thick-x1.5': thickRecipe(1.5),
  'exemplars-thick-x2': thickRecipe(2),
  'exemplars-cutmix': {
    description:
      'as exemplars-thick-x1.25, then CutMix (cutMix, alpha 1): a box of another sample of the batch pasted into each, the labels mixed by area (soft labels, learnt and read through a logits head)',
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({ stream: warpedExemplars(ctx, thickAt(1.25)).pipe(cutMix({ seed: ctx.seed })), head: logitsTarget(10, 1) }),
  },
  'exemplars-thick-elastic': {
    description: `as exemplars-thick-x1.25, and a random elastic warp on a ${DEFORMATION_OPTIONS.grid}x${DEFORMATION_OPTIONS.grid} lattice (the lattice of exemplars-deformed) whose points move up to a size drawn per sample in [0, 5] px (the best of 1.5, 2, 3, 4, 5 and 6 on seeds 1 to 6)`,
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1.25), elastic: [0, 5] }, { elasticGrid: DEFORMATION_OPTIONS.grid }) }),
  },
  'exemplars-deformed': {
    procedural: digits,
    description: `as exemplars-thick (wide random warps and thickness), and a deformation learnt for the class (learnDeformations: ${DEFORMATION_OPTIONS.pairsPerClass} pairs of procedural digits of each class registered onto each other, ${DEFORMATION_OPTIONS.grid}x${DEFORMATION_OPTIONS.grid} lattices), times a factor drawn per sample in [0, 2]; no procedural image is trained on`,
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 2] }, { deformations: digitDeformations(ctx) }) }),
  },
  'exemplars-deformed-random': {
    procedural: digits,
    description:
      "as exemplars-deformed, with random lattices in place of the learnt ones: as many per class, each move Gaussian with the root mean square of the class's learnt moves",
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({
      stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 2] }, { deformations: randomLattices(digitDeformations(ctx), ctx.seed) }),
    }),
  },
  'exemplars-registered': {
    procedural: digits,
    description: `as exemplars-thick (wide random warps and thickness), and a deformation learnt for the exemplar (learnExemplarDeformations: the exemplar registered onto ${DEFORMATION_OPTIONS.pairsPerClass} procedural digits of its class, ${DEFORMATION_OPTIONS.grid}x${DEFORMATION_OPTIONS.grid} lattices), times a factor drawn per sample in [0, 1.5]; no procedural image is trained on`,
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 1.5] }, { deformations: exemplarDeformations(ctx) }) }),
  },
  'exemplars-registered-random': {
    procedural: digits,
    description:
      "as exemplars-registered, with random lattices in place of the learnt ones: as many per exemplar, each move Gaussian with the root mean square of the exemplar's learnt moves",
    notByDefault: 'added after the committed one-shot run',
    make: (ctx) => ({
      stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 1.5] }, { deformations: randomLattices(exemplarDeformations(ctx), ctx.seed) }),
    }),
  },
  'exemplars-strength': {
    description:
      "the ranges of exemplars-thick-x2 scaled by a strength in [0, 1] that a controller moves by 0.01 a step: up while the classifier's loss on the batch is under 0.5, down while over (from 0.25)",
    make: (ctx) => {
      const strength = strengthController({ target: 0.5, params: (s) => thickAt(2 * s) });
      return { stream: warpedExemplars(ctx, strength.params), controllers: [strength] };
    },
  },
  'exemplars-ramp': {
    description:
      "the ranges of exemplars-thick-x2 scaled by a strength fixed in advance: rising linearly from 0.1 at the first batch to 0.7 at the last (about the path exemplars-strength's controller takes, without the controller)",
    make: (ctx) => ({ stream: warpedExemplars(ctx, (i) => thickAt(2 * rampStrength(i, ctx.batches))) }),
  },
  'exemplars-mix': {
    description:
      'an even mix of four random warp families of the exemplars (those of exemplars, exemplars-wide, exemplars-elastic and exemplars-thick), sample by sample',
    make: (ctx) => ({ stream: exemplarFamilies(ctx, [1, 1, 1, 1]) }),
  },
  'exemplars-mix-policy': {
    description: 'the four warp families of exemplars-mix, a REINFORCE policy picking the family of each batch (reward: the classifier loss on the batch)',
    make: (ctx) => {
      const policy = mixPolicy({ sources: Object.keys(WARP_FAMILIES), seed: ctx.seed });
      return { stream: exemplarFamilies(ctx, policy.weights), controllers: [policy] };
    },
  },
  'exemplars-digits': {
    procedural: digits,
    description:
      'a shape prior beside the exemplars: an even mix, sample by sample, of procedural digits (the digits task, default parameters) and the exemplars as in exemplars-thick-x1.25',
    make: (ctx) => ({ stream: digitsAndExemplars(ctx, thickAt(1.25), [1, 1]) }),
  },
  'exemplars-fashion': {
    procedural: fashion,
    description:
      'as exemplars-digits with procedural fashion items (the fashion task, default parameters) for the digits: for one-shot on Fashion-MNIST (--data)',
    forData: 'Fashion-MNIST',
    make: (ctx) => ({ stream: withExemplars(proceduralFashion(ctx), ctx, thickAt(1.25), [1, 1]) }),
  },
  'exemplars-digits-policy': {
    procedural: digits,
    description: 'the two sources of exemplars-digits, a REINFORCE policy picking the source of each batch (reward: the classifier loss on the batch)',
    make: (ctx) => {
      const policy = mixPolicy({ sources: ['digits', 'exemplars'], seed: ctx.seed });
      return { stream: digitsAndExemplars(ctx, thickAt(1.25), policy.weights), controllers: [policy] };
    },
  },
  'exemplars-learned': {
    description: 'real exemplars warped by a learned augmenter trained against the classifier (same bounds, ramp over 50 batches)',
    make: (ctx) => learnedExemplars(ctx, 0),
  },
  'exemplars-learned-diverse': {
    description: `as exemplars-learned, with a diversity term (weight 3) that pays the sampler for moving an image's warp when its noise changes`,
    make: (ctx) => learnedExemplars(ctx, 3),
  },
  'exemplars-learned-teach': {
    description:
      "as exemplars-learned-diverse, and the sampler also keeps a teacher's loss low (TeachAugment): the teacher is an exponential moving average of the classifier's weights (decay 0.99)",
    make: (ctx) => learnedExemplars(ctx, 3, true),
  },
  'exemplars-learned-teach-thick': {
    description: 'as exemplars-learned-teach, on exemplars with a random stroke thickness change (as exemplars-thick)',
    make: (ctx) => learnedExemplars(ctx, 3, true, { thickness: [-1, 1] }),
  },
  'exemplars-policy': {
    description: 'real exemplars under random warps whose ranges a REINFORCE policy picks per batch (4 bins each, reward: the classifier loss on the batch)',
    make: (ctx) => {
      const task = exemplarsOf(ctx);
      const policy = policyController(task, {
        // The ranges of exemplars-wide, which the policy cuts into bins.
        steer: { rotation: randomWarp.rotation, scale: randomWarp.scale, shear: randomWarp.shear, shift: [0, randomWarp.shift] },
        seed: ctx.seed,
      });
      return { stream: generate(task, { seed: ctx.seed, batchSize: ctx.batchSize, params: policy.params }), controllers: [policy] };
    },
  },
  'exemplars-self-training': {
    description: `semi-supervised: the exemplars as in exemplars-thick-x1.25, and unlabelled real images (the last ${SELF_TRAINING_UNLABELLED.toLocaleString('en')} training images, labels unused) that the classifier reads most confidently as each class, read afresh ${SELF_TRAINING_READINGS}`,
    notByDefault: 'added after the committed one-shot run (it uses unlabelled real images too)',
    make: (ctx) => selfTrainingExemplars(ctx, () => classifierOf(ctx.model)),
  },
  'exemplars-digits-self-training': {
    procedural: digits,
    description:
      'semi-supervised, with a shape prior: an even mix, sample by sample, of procedural digits (as in exemplars-digits) and the stream of exemplars-self-training',
    notByDefault: 'added after the committed one-shot run (it uses unlabelled real images too)',
    make: (ctx) => selfTrainingBeside(proceduralDigits(ctx), ctx),
  },
  'exemplars-fashion-self-training': {
    procedural: fashion,
    description:
      'as exemplars-digits-self-training with procedural fashion items (as in exemplars-fashion) for the digits: for one-shot on Fashion-MNIST (--data)',
    forData: 'Fashion-MNIST',
    make: (ctx) => selfTrainingBeside(proceduralFashion(ctx), ctx),
  },
  'exemplars-fashion-registered': {
    procedural: fashion,
    description: `as exemplars-registered with procedural fashion items for the digits, on the warps of exemplars (the best random warps on Fashion-MNIST): each exemplar registered onto ${DEFORMATION_OPTIONS.pairsPerClass} items of its class, a deformation factor drawn in [0, 1.5]; for one-shot on Fashion-MNIST (--data)`,
    forData: 'Fashion-MNIST',
    make: (ctx) => ({ stream: warpedExemplars(ctx, { deformation: [0, 1.5] }, { deformations: exemplarDeformations(ctx, fashion) }) }),
  },
  'exemplars-fashion-registered-random': {
    procedural: fashion,
    description: 'as exemplars-fashion-registered, with random lattices in place of the learnt ones (as exemplars-registered-random)',
    forData: 'Fashion-MNIST',
    make: (ctx) => ({
      stream: warpedExemplars(ctx, { deformation: [0, 1.5] }, { deformations: randomLattices(exemplarDeformations(ctx, fashion), ctx.seed) }),
    }),
  },
  'exemplars-nearest': {
    description:
      'the control for exemplars-self-training: the same unlabelled images and readings, each image labelled by the exemplar it is nearest to (cosine similarity of pixels) instead of by the classifier',
    notByDefault: 'added after the committed one-shot run (it uses unlabelled real images too)',
    make: (ctx) => selfTrainingExemplars(ctx, (ex) => (x) => nearestExemplarLogits(x, ex.x, ex.y, 10)),
  },
  'digits-reweighted': {
    procedural: digits,
    notOneShot: HELD_OUT,
    description: 'procedural digits, class weights set every 25 steps from per-class accuracy on 500 of the last 1,000 real training images',
    make: (ctx) => {
      const reweight = classReweighting({ classes: 10 });
      return {
        stream: proceduralDigits(ctx, reweight.params),
        controllers: [reweight],
        feedback: { data: ctx.heldOut, every: 25, limit: 500 },
      };
    },
  },
  'digits-policy': {
    procedural: digits,
    notOneShot: HELD_OUT,
    description:
      'procedural digits whose slant, rotation, stroke width and elastic ranges a REINFORCE policy picks (reward: held-out loss drop every 25 steps)',
    make: (ctx) => {
      const policy = policyController(digits, {
        steer: { slant: [-30, 40], rotation: [-30, 30], strokeWidth: [1, 5], elastic: [0, 0.2] },
        reward: 'progress',
        seed: ctx.seed,
      });
      return {
        stream: proceduralDigits(ctx, policy.params),
        controllers: [policy],
        feedback: { data: ctx.heldOut, every: 25, limit: 500 },
      };
    },
  },
  'digits-mix-policy': {
    procedural: digits,
    notOneShot: HELD_OUT,
    description:
      'procedural digits or one exemplar per class under random warps (as exemplars), picked by a REINFORCE policy for each 25 steps between held-out evaluations (reward: the held-out loss drop over them)',
    make: (ctx) => {
      const policy = mixPolicy({ sources: ['digits', 'exemplars'], reward: 'progress', seed: ctx.seed });
      return {
        stream: digitsAndExemplars(ctx, undefined, policy.weights),
        controllers: [policy],
        feedback: { data: ctx.heldOut, every: 25, limit: 500 },
      };
    },
  },
};

/**
 * The exemplars (under the warps of exemplars-thick-x1.25) and the last training images
 * (unlabelled) that the classifier made from the exemplars reads most confidently as each class; with a controller that
 * records the share of the unlabelled images in the pool and the share of those labelled right
 * (by the labels the method itself does not read).
 */
function selfTrainingExemplars(ctx: SourceContext, classifier: (exemplars: Exemplars) => (images: tf.Tensor4D) => tf.Tensor): SyntheticSource {
  const exemplars = pickedExemplars(ctx);
  const unlabelled = heldOutOf(ctx.train, SELF_TRAINING_UNLABELLED);
  let at = 0;
  const schedule = SELF_TRAINING.map((s) => {
    at = Math.max(at + 1, Math.round(s.at * ctx.batches));
    return { at, perClass: Math.max(1, Math.round((s.perClass * unlabelled.count) / 10)) };
  });
  const grow = selfTraining({
    exemplars,
    unlabelled,
    classifier: classifier(exemplars),
    schedule,
    seed: ctx.seed,
    batchSize: ctx.batchSize,
    params: thickAt(1.25),
  });
  // Both as shares, so the run records' chart shows them on one scale.
  const record: Controller = {
    name: 'self-training',
    observe: () => {},
    current: (): Record<string, number> => {
      const e = grow.log.at(-1);
      if (!e || e.indices.length === 0) return { pseudoLabelled: 0 };
      const right = e.indices.filter((i, j) => unlabelled.y[i] === e.labels[j]).length;
      return { pseudoLabelled: +(e.indices.length / unlabelled.count).toFixed(4), pseudoLabelsRight: +(right / e.indices.length).toFixed(4) };
    },
  };
  return { stream: grow.stream, controllers: [record] };
}

/** A procedural stream and exemplars-self-training's, mixed evenly sample by sample. */
function selfTrainingBeside(procedural: Stream<Batch>, ctx: SourceContext): SyntheticSource {
  // Half of each step's samples come from it: it gives a batch every two steps, and its readings count its own batches.
  const grow = selfTrainingExemplars({ ...ctx, batches: Math.round(ctx.batches / 2) }, () => classifierOf(ctx.model));
  return { ...grow, stream: mix([procedural, grow.stream], [1, 1], { batchSize: ctx.batchSize, seed: ctx.seed }) };
}

/** Logits of `images` [n, h, w, 1] by class: 20 times the largest cosine similarity (of pixels) to one of the class's exemplars. */
function nearestExemplarLogits(images: tf.Tensor4D, exemplars: Float32Array, labels: Int32Array, classes: number): tf.Tensor {
  return tf.tidy(() => {
    const n = images.shape[1] * images.shape[2] * images.shape[3];
    const unit = (m: tf.Tensor2D) => tf.div(m, tf.add(tf.norm(m, 'euclidean', 1, true), 1e-6));
    const similarity = tf.matMul(unit(tf.reshape(images, [images.shape[0], n])), unit(tf.tensor2d(exemplars, [labels.length, n])), false, true);
    const byClass = Array.from({ length: classes }, (_, c) => {
      const mine = [...labels.keys()].filter((i) => labels[i] === c);
      return tf.max(tf.gather(similarity, mine, 1), 1);
    });
    return tf.mul(tf.stack(byClass, 1), 20);
  });
}

/** The random warp families exemplars-mix draws from, by name. */
const WARP_FAMILIES: Readonly<Record<string, Record<string, unknown> | undefined>> = {
  study: undefined, // the task's default ranges (those of `exemplars`)
  wide: randomWarp,
  elastic: elasticWarp,
  thick: thickAt(1),
};

/** A mix of the exemplars under each of WARP_FAMILIES (each its own seeded stream). */
function exemplarFamilies(ctx: SourceContext, weights: MixWeights): Stream<Batch> {
  const task = exemplarsOf(ctx);
  const families = Object.values(WARP_FAMILIES).map((params, i) =>
    generate(task, { seed: `${ctx.seed}/family${i}`, batchSize: ctx.batchSize, ...(params ? { params } : {}) }),
  );
  return mix(families, weights, { batchSize: ctx.batchSize, seed: ctx.seed });
}

function learnedExemplars(ctx: SourceContext, diversity: number, teach = false, base: Record<string, unknown> = {}): SyntheticSource {
  const classifier = classifierOf(ctx.model);
  const ema = teach ? emaTeacher(ctx.model, 0.99) : null;
  const teacher = ema ? classifierOf(ema.teacher) : undefined;
  const aug = learnedAugmenter({
    ...(teacher ? { teacher } : {}),
    classifier,
    seed: ctx.seed,
    ramp: 50,
    maxRotation: WARP_BOUNDS.rotation,
    maxScale: WARP_BOUNDS.scale,
    maxShear: WARP_BOUNDS.shear,
    maxTranslation: WARP_BOUNDS.shift,
    diversity,
  });
  return {
    stream: warpedExemplars(ctx, { ...noWarp, ...base }).pipe(aug.augment),
    controllers: ema ? [aug, ema] : [aug],
    dispose: () => {
      aug.dispose();
      ema?.teacher.dispose();
    },
  };
}

/**
 * A copy of `student` (its body and class head) whose weights follow the
 * student's as an exponential moving average, updated after every step:
 * teacher = decay · teacher + (1 − decay) · student.
 */
function emaTeacher(student: HarnessModel, decay: number): Controller & { teacher: HarnessModel } {
  const teacher = createModel({ architecture: student.architecture, inputShape: student.inputShape });
  const studentWeights = [...student.bodyWeights(), ...student.headWeights(CLASSES)];
  const pairs = [...teacher.bodyWeights(), ...teacher.headWeights(CLASSES)].map((t, i) => [t, studentWeights[i]] as const);
  for (const [t, s] of pairs) t.assign(s);
  return {
    name: 'ema-teacher',
    teacher,
    observe: (signal) => {
      if (signal.loss === undefined) return; // after an evaluation, not a step
      tf.tidy(() => {
        for (const [t, s] of pairs) t.assign(tf.add(tf.mul(t, decay), tf.mul(s, 1 - decay)));
      });
    },
    current: () => ({}),
  };
}
