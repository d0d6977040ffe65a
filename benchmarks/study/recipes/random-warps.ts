/** The real exemplars under random warps: affine, elastic, thickness, CutMix, fixed schedules and mixes of families. */
import type { Batch } from '../../../src/core/batch.js';
import { cutMix } from '../../../src/image/cutmix.js';
import { mix, type MixWeights } from '../../../src/stream/mix.js';
import type { Stream } from '../../../src/stream/stream.js';
import type { ExemplarParams } from '../../../src/tasks/exemplars.js';
import type { WithClassWeights } from '../../../src/tasks/define-task.js';
import { generate, type ParamsOption } from '../../../src/tasks/generate.js';
import { logitsTarget } from '../../../src/harness/distil.js';
import type { SourceContext } from '../../../src/harness/warmup-source.js';
import {
  BY_NAME,
  WARP_BOUNDS,
  affineAt,
  elasticWarp,
  exemplarsOf,
  noWarp,
  randomWarp,
  thickAt,
  warpedExemplars,
  type Recipes,
  type SourceRecipe,
} from './common.js';
import { DEFORMATION_OPTIONS } from './deformations.js';

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

/** exemplars-ramp's strength at batch `i` of `batches`: 0.1 at the first, rising linearly to 0.7 at the last, and held there. */
export function rampStrength(i: number, batches: number): number {
  const last = Math.max(1, batches - 1);
  return 0.1 + (0.6 * Math.min(i, last)) / last;
}

/** The random warp families exemplars-mix draws from, by name. */
export const WARP_FAMILIES: Readonly<Record<string, Record<string, unknown> | undefined>> = {
  study: undefined, // the task's default ranges (those of `exemplars`)
  wide: randomWarp,
  elastic: elasticWarp,
  thick: thickAt(1),
};

/** A mix of the exemplars under each of WARP_FAMILIES (each its own seeded stream). */
export function exemplarFamilies(ctx: SourceContext, weights: MixWeights): Stream<Batch> {
  const task = exemplarsOf(ctx);
  const families = Object.values(WARP_FAMILIES).map((params, i) =>
    generate(task, { seed: `${ctx.seed}/family${i}`, batchSize: ctx.batchSize, ...(params ? { params } : {}) }),
  );
  return mix(families, weights, { batchSize: ctx.batchSize, seed: ctx.seed });
}

export const RANDOM_WARPS: Recipes = {
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
  'exemplars-thick-x1.25': thickRecipe(1.25, ': the best of the sizes 1, 1.25, 1.5 and 2, picked by real-test accuracy'),
  'exemplars-thick-x1.5': thickRecipe(1.5),
  'exemplars-thick-x2': thickRecipe(2),
  'exemplars-cutmix': {
    description:
      'as exemplars-thick-x1.25, then CutMix (cutMix, alpha 1): a box of another sample of the batch pasted into each, the labels mixed by area (soft labels, learnt and read through a logits head)',
    notByDefault: BY_NAME,
    make: (ctx) => ({ stream: warpedExemplars(ctx, thickAt(1.25)).pipe(cutMix({ seed: ctx.seed })), head: logitsTarget(10, 1) }),
  },
  'exemplars-thick-elastic': {
    description: `as exemplars-thick-x1.25, and a random elastic warp on a ${DEFORMATION_OPTIONS.grid}x${DEFORMATION_OPTIONS.grid} lattice (the lattice of exemplars-deformed) whose points move up to a size drawn per sample in [0, 5] px (the best of 1.5, 2, 3, 4, 5 and 6 on seeds 1 to 6)`,
    notByDefault: BY_NAME,
    make: (ctx) => ({ stream: warpedExemplars(ctx, { ...thickAt(1.25), elastic: [0, 5] }, { elasticGrid: DEFORMATION_OPTIONS.grid }) }),
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
};
