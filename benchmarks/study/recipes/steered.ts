/** Generation steered by the model under training: learned augmenters, REINFORCE policies, a strength controller, class reweighting. */
import * as tf from '@tensorflow/tfjs-core';
import type { Controller } from '../../../src/adaptive/controller.js';
import { classReweighting } from '../../../src/adaptive/class-reweighting.js';
import { learnedAugmenter } from '../../../src/adaptive/learned.js';
import { mixPolicy } from '../../../src/adaptive/mix-policy.js';
import { policyController } from '../../../src/adaptive/policy.js';
import { strengthController } from '../../../src/adaptive/strength.js';
import { generate } from '../../../src/tasks/generate.js';
import { digits } from '../../../src/tasks/digits/index.js';
import { createModel, type HarnessModel } from '../../../src/harness/models.js';
import type { SourceContext, SyntheticSource } from '../../../src/harness/warmup-source.js';
import {
  CLASSES,
  HELD_OUT,
  WARP_BOUNDS,
  classifierOf,
  digitsAndExemplars,
  exemplarsOf,
  noWarp,
  proceduralDigits,
  randomWarp,
  thickAt,
  warpedExemplars,
  type Recipes,
} from './common.js';
import { WARP_FAMILIES, exemplarFamilies } from './random-warps.js';

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

export const STEERED: Recipes = {
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
  'exemplars-strength': {
    description:
      "the ranges of exemplars-thick-x2 scaled by a strength in [0, 1] that a controller moves by 0.01 a step: up while the classifier's loss on the batch is under 0.5, down while over (from 0.25)",
    make: (ctx) => {
      const strength = strengthController({ target: 0.5, params: (s) => thickAt(2 * s) });
      return { stream: warpedExemplars(ctx, strength.params), controllers: [strength] };
    },
  },
  'exemplars-mix-policy': {
    description: 'the four warp families of exemplars-mix, a REINFORCE policy picking the family of each batch (reward: the classifier loss on the batch)',
    make: (ctx) => {
      const policy = mixPolicy({ sources: Object.keys(WARP_FAMILIES), seed: ctx.seed });
      return { stream: exemplarFamilies(ctx, policy.weights), controllers: [policy] };
    },
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
