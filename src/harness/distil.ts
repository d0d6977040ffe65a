/**
 * Distillation: a stream operator that replaces each batch's class labels by
 * what trained teacher networks say about its samples (their mean logits), so
 * a student learns the teachers' function rather than the labels alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkTemperature, describeTarget, type Batch, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, describe } from '../core/errors.js';
import { map } from '../stream/map.js';
import type { Operator } from '../stream/stream.js';
import { checkInput, type HarnessModel } from './models.js';

/**
 * The target a student learns teacher logits through: a regression head of
 * `classes` outputs. Pass it as `evaluate`'s `head` to read that head's
 * outputs as class scores. Without `temperature` the logits are learnt by mean
 * squared error; with it, by softened cross-entropy at that temperature (the
 * same head: the temperature only changes the loss).
 */
export function logitsTarget(classes: number, temperature?: number): TargetSpec {
  if (temperature === undefined) return { kind: 'regression', size: classes };
  return { kind: 'regression', size: classes, temperature: checkTemperature('logitsTarget temperature', temperature) };
}

/** Options of {@link teacherLogits}. */
export interface TeacherLogitsOptions {
  /**
   * Learn the logits by softened cross-entropy at this temperature (> 0; 2 is a good start)
   * instead of mean squared error. See `logitsTarget`.
   */
  readonly temperature?: number;
}

/**
 * Relabels class batches with the mean logits of `teachers` (their class
 * heads, in inference mode), as regression targets of `classes` values
 * (`logitsTarget(classes, options.temperature)`). Train a student on the result;
 * it then predicts through its regression head. The teachers are not trained
 * or disposed here.
 * @example
 * ```ts
 * const taught = generate(digits, { seed: 101, batchSize: 64 }).pipe(teacherLogits([teacher], { temperature: 2 }));
 * await train({ model: student, steps: taught, totalSteps: 9000, lrSchedule: 'one-cycle' });
 * const { accuracy } = await evaluate(student, { data: test, head: logitsTarget(10) });
 * ```
 */
export function teacherLogits(teachers: readonly HarnessModel[], options: TeacherLogitsOptions = {}): Operator<Batch, Batch> {
  checkKeys('teacherLogits options', options, ['temperature']);
  if (!Array.isArray(teachers) || teachers.length === 0) {
    throw new OtfgenArgumentError('teacherLogits teachers', `expected a non-empty array of harness models (createModel), got ${describe(teachers)}`);
  }
  const temperature = options.temperature === undefined ? undefined : checkTemperature('teacherLogits options.temperature', options.temperature);
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
      return { x: batch.x, y, size: batch.size, sampleShape: batch.sampleShape, target: logitsTarget(target.classes, temperature) };
    } finally {
      mean.dispose();
    }
  });
}
