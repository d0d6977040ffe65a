/**
 * The synthetic sources the studies know by name, by family in recipes/:
 * procedural tasks, the real exemplars under random warps, deformations
 * learnt by registration, a shape prior beside the exemplars, generation
 * steered by the model, and self-training. Their order is the order the
 * one-shot study runs and lists its default methods in.
 */
import type { SourceRecipe } from './recipes/common.js';
import { DEFORMATIONS } from './recipes/deformations.js';
import { PROCEDURAL } from './recipes/procedural.js';
import { RANDOM_WARPS } from './recipes/random-warps.js';
import { SELF_TRAINING_RECIPES } from './recipes/self-training.js';
import { SHAPE_PRIOR } from './recipes/shape-prior.js';
import { STEERED } from './recipes/steered.js';

export type { SourceRecipe } from './recipes/common.js';
export { WARP_BOUNDS } from './recipes/common.js';
export { digitDeformations, exemplarDeformations, randomLattices } from './recipes/deformations.js';
export { rampStrength } from './recipes/random-warps.js';

const ORDER = [
  'pixel-count',
  'digits',
  'digits-fitted',
  'fashion',
  'exemplars',
  'exemplars-plain',
  'exemplars-wide',
  'exemplars-elastic',
  'exemplars-thick',
  'exemplars-policy-thick',
  'exemplars-thick-x1.25',
  'exemplars-thick-x1.5',
  'exemplars-thick-x2',
  'exemplars-cutmix',
  'exemplars-thick-elastic',
  'exemplars-deformed',
  'exemplars-deformed-random',
  'exemplars-registered',
  'exemplars-registered-random',
  'exemplars-strength',
  'exemplars-ramp',
  'exemplars-mix',
  'exemplars-mix-policy',
  'exemplars-digits',
  'exemplars-fashion',
  'exemplars-digits-policy',
  'exemplars-learned',
  'exemplars-learned-diverse',
  'exemplars-learned-teach',
  'exemplars-learned-teach-thick',
  'exemplars-policy',
  'exemplars-self-training',
  'exemplars-digits-self-training',
  'exemplars-fashion-self-training',
  'exemplars-fashion-registered',
  'exemplars-fashion-registered-random',
  'exemplars-nearest',
  'digits-reweighted',
  'digits-policy',
  'digits-mix-policy',
] as const;

const ALL: Readonly<Record<string, SourceRecipe>> = { ...PROCEDURAL, ...RANDOM_WARPS, ...DEFORMATIONS, ...SHAPE_PRIOR, ...STEERED, ...SELF_TRAINING_RECIPES };

/** Every named source, in ORDER (each family's file holds its own). */
export const SOURCES: Readonly<Record<string, SourceRecipe>> = Object.fromEntries(ORDER.map((name) => [name, ALL[name]]));
