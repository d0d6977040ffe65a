/**
 * Distillation: a stream operator that replaces each batch's class labels by
 * what trained teacher networks say about its samples (their mean logits), so
 * a student learns the teachers' function rather than the labels alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeTarget, type Batch, type TargetSpec } from '../batch.js';
import { OtfgenArgumentError, describe } from '../errors.js';
import { map } from '../stream/map.js';
import type { Operator } from '../stream/stream.js';
import { checkInput, type HarnessModel } from './models.js';

/**
 * The target a student learns teacher logits through: a regression head of
 * `classes` outputs. Pass it as `evaluate`'s `head` to read that head's
 * outputs as class scores.
 */
export function logitsTarget(classes: number): TargetSpec {
  return { kind: 'regression', size: classes };
}

/**
 * Relabels class batches with the mean logits of `teachers` (their class
 * heads, in inference mode), as regression targets of `classes` values
 * (`logitsTarget(classes)`). Train a student on the result; it then predicts
 * through its regression head. The teachers are not trained or disposed here.
 * @example
 * ```ts
 * const taught = generate(digits, { seed: 101, batchSize: 64 }).pipe(teacherLogits([teacher]));
 * await train({ model: student, steps: taught, totalSteps: 9000, lrSchedule: 'one-cycle' });
 * const { accuracy } = await evaluate(student, { data: test, head: logitsTarget(10) });
 * ```
 */
export function teacherLogits(teachers: readonly HarnessModel[]): Operator<Batch, Batch> {
  if (!Array.isArray(teachers) || teachers.length === 0) {
    throw new OtfgenArgumentError('teacherLogits teachers', `expected a non-empty array of harness models (createModel), got ${describe(teachers)}`);
  }
  return map(async (batch: Batch): Promise<Batch> => {
    if (batch.target.kind !== 'class') {
      throw new OtfgenArgumentError('teacherLogits batch.target', `teachers relabel class batches; got ${describeTarget(batch.target)}`);
    }
    const target = batch.target;
    for (const t of teachers) checkInput(t, batch.sampleShape, target);
    const mean = tf.tidy(() => {
      const xs = tf.tensor(batch.x, [batch.size, ...batch.sampleShape], 'float32');
      const sum = tf.addN(teachers.map((t) => t.modelFor(target).apply(xs, { training: false }) as tf.Tensor));
      return tf.div(sum, teachers.length);
    });
    try {
      const y = (await mean.data()) as Float32Array;
      return { x: batch.x, y, size: batch.size, sampleShape: batch.sampleShape, target: logitsTarget(target.classes) };
    } finally {
      mean.dispose();
    }
  });
}
