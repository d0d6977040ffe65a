/** Semi-supervised: the exemplars grow from unlabelled real images that a classifier reads confidently (and the control labelled by nearness). */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../../src/core/batch.js';
import type { Controller } from '../../../src/adaptive/controller.js';
import { selfTraining } from '../../../src/adaptive/self-training.js';
import { mix } from '../../../src/stream/mix.js';
import type { Stream } from '../../../src/stream/stream.js';
import type { Exemplars } from '../../../src/tasks/exemplars.js';
import { digits } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import { heldOutOf, type SourceContext, type SyntheticSource } from '../../../src/harness/warmup-source.js';
import { BY_NAME_UNLABELLED, classifierOf, pickedExemplars, proceduralDigits, proceduralFashion, thickAt, type Recipes } from './common.js';

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

export const SELF_TRAINING_RECIPES: Recipes = {
  'exemplars-self-training': {
    description: `semi-supervised: the exemplars as in exemplars-thick-x1.25, and unlabelled real images (the last ${SELF_TRAINING_UNLABELLED.toLocaleString('en')} training images, labels unused) that the classifier reads most confidently as each class, read afresh ${SELF_TRAINING_READINGS}`,
    notByDefault: BY_NAME_UNLABELLED,
    make: (ctx) => selfTrainingExemplars(ctx, () => classifierOf(ctx.model)),
  },
  'exemplars-digits-self-training': {
    procedural: digits,
    description:
      'semi-supervised, with a shape prior: an even mix, sample by sample, of procedural digits (as in exemplars-digits) and the stream of exemplars-self-training',
    notByDefault: BY_NAME_UNLABELLED,
    make: (ctx) => selfTrainingBeside(proceduralDigits(ctx), ctx),
  },
  'exemplars-fashion-self-training': {
    procedural: fashion,
    description:
      'as exemplars-digits-self-training with procedural fashion items (as in exemplars-fashion) for the digits: for one-shot on Fashion-MNIST (--data)',
    forData: 'Fashion-MNIST',
    make: (ctx) => selfTrainingBeside(proceduralFashion(ctx), ctx),
  },
  'exemplars-nearest': {
    description:
      'the control for exemplars-self-training: the same unlabelled images and readings, each image labelled by the exemplar it is nearest to (cosine similarity of pixels) instead of by the classifier',
    notByDefault: BY_NAME_UNLABELLED,
    make: (ctx) => selfTrainingExemplars(ctx, (ex) => (x) => nearestExemplarLogits(x, ex.x, ex.y, 10)),
  },
};
