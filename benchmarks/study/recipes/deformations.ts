/**
 * The exemplars under deformations learnt by registration (learnDeformations,
 * learnExemplarDeformations) from procedural shapes, and their controls with
 * random lattices of the same size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../src/core/rng.js';
import { learnDeformations, learnExemplarDeformations } from '../../../src/adaptive/deformations.js';
import type { Deformations, ExemplarDeformations } from '../../../src/tasks/exemplars.js';
import type { ParamSpace, ParamValues, Task } from '../../../src/tasks/define-task.js';
import { renderBatch } from '../../../src/tasks/generate.js';
import { digits } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import type { SourceContext } from '../../../src/harness/warmup-source.js';
import { BY_NAME, pickedExemplars, thickAt, warpedExemplars, type Recipes } from './common.js';

/** Procedural shapes the deformations are learnt from, and how. */
const DEFORMATION_SHAPES = 3000;
export const DEFORMATION_OPTIONS = { pairsPerClass: 100, grid: 5 } as const;

/**
 * The last deformations learnt, per training set and by what they were learnt
 * from: the methods of one seed share them, as learning takes 35 to 40 s.
 */
const learnt = {
  byClass: new WeakMap<object, { key: string; deformations: Deformations }>(),
  byExemplar: new WeakMap<object, { key: string; deformations: ExemplarDeformations }>(),
};

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
  let last = learnt.byClass.get(ctx.train);
  if (last?.key !== key) {
    last = { key, deformations: learnDeformations(deformationShapes(ctx), { ...DEFORMATION_OPTIONS, seed: ctx.seed }) };
    learnt.byClass.set(ctx.train, last);
  }
  return last.deformations;
}

/**
 * Deformations that move each of the context's exemplars towards procedural
 * shapes of its class, digits or `task`'s (learnExemplarDeformations: each
 * registered onto DEFORMATION_OPTIONS.pairsPerClass of them, drawn as for
 * digitDeformations).
 */
export function exemplarDeformations(ctx: SourceContext, task: Task<any> = digits): ExemplarDeformations {
  const key = JSON.stringify([task.name, ctx.seed, ctx.params ?? {}, ctx.perClass ?? 1, tf.getBackend()]);
  let last = learnt.byExemplar.get(ctx.train);
  if (last?.key !== key) {
    const options = { perExemplar: DEFORMATION_OPTIONS.pairsPerClass, grid: DEFORMATION_OPTIONS.grid, seed: ctx.seed };
    last = { key, deformations: learnExemplarDeformations(pickedExemplars(ctx), deformationShapes(ctx, task), options) };
    learnt.byExemplar.set(ctx.train, last);
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

const { pairsPerClass, grid } = DEFORMATION_OPTIONS;

export const DEFORMATIONS: Recipes = {
  'exemplars-deformed': {
    procedural: digits,
    description: `as exemplars-thick (wide random warps and thickness), and a deformation learnt for the class (learnDeformations: ${pairsPerClass} pairs of procedural digits of each class registered onto each other, ${grid}x${grid} lattices), times a factor drawn per sample in [0, 2]; no procedural image is trained on`,
    notByDefault: BY_NAME,
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 2] }, { deformations: digitDeformations(ctx) }) }),
  },
  'exemplars-deformed-random': {
    procedural: digits,
    description:
      "as exemplars-deformed, with random lattices in place of the learnt ones: as many per class, each move Gaussian with the root mean square of the class's learnt moves",
    notByDefault: BY_NAME,
    make: (ctx) => ({
      stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 2] }, { deformations: randomLattices(digitDeformations(ctx), ctx.seed) }),
    }),
  },
  'exemplars-registered': {
    procedural: digits,
    description: `as exemplars-thick (wide random warps and thickness), and a deformation learnt for the exemplar (learnExemplarDeformations: the exemplar registered onto ${pairsPerClass} procedural digits of its class, ${grid}x${grid} lattices), times a factor drawn per sample in [0, 1.5]; no procedural image is trained on`,
    notByDefault: BY_NAME,
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 1.5] }, { deformations: exemplarDeformations(ctx) }) }),
  },
  'exemplars-registered-random': {
    procedural: digits,
    description:
      "as exemplars-registered, with random lattices in place of the learnt ones: as many per exemplar, each move Gaussian with the root mean square of the exemplar's learnt moves",
    notByDefault: BY_NAME,
    make: (ctx) => ({
      stream: warpedExemplars(ctx, { ...thickAt(1), deformation: [0, 1.5] }, { deformations: randomLattices(exemplarDeformations(ctx), ctx.seed) }),
    }),
  },
  'exemplars-fashion-registered': {
    procedural: fashion,
    description: `as exemplars-registered with procedural fashion items for the digits, on the warps of exemplars (the best random warps on Fashion-MNIST): each exemplar registered onto ${pairsPerClass} items of its class, a deformation factor drawn in [0, 1.5]; for one-shot on Fashion-MNIST (--data)`,
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
};
