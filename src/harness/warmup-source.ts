/** What a sweep warms up on: a named source of synthetic batches, made afresh for each run. */
import type { Batch, TargetSpec } from '../core/batch.js';
import { OtfgenArgumentError } from '../core/errors.js';
import type { MnistDataset } from '../node/files/mnist.js';
import type { Stream } from '../stream/stream.js';
import type { Task } from '../tasks/define-task.js';
import { checkParams, generate } from '../tasks/generate.js';
import type { Controller } from '../adaptive/controller.js';
import type { HarnessModel } from './models.js';
import type { FeedbackOptions } from './train.js';

/** What a synthetic source is made from, for one run. */
export interface SourceContext {
  readonly seed: number;
  readonly batchSize: number;
  /** The real training set (exemplar sources pick from it). */
  readonly train: MnistDataset;
  /** Real images per class the exemplar sources may use (default 1). */
  readonly perClass?: number;
  /** The model being trained (adaptive sources watch it). */
  readonly model: HarnessModel;
  /** Held-out real data for sources that learn from evaluations. */
  readonly heldOut: MnistDataset;
  /**
   * Batches the run will take from this source: `syntheticBatches` of the
   * warm-up (its steps with a switch, about half of them with a blend).
   * Schedules fixed in advance span them.
   */
  readonly batches: number;
  /** Parameters of the source's procedural task ({@link WarmupSource.procedural}), as a task's `params`. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A synthetic stream, and what a training loop must feed and free for it. */
export interface SyntheticSource {
  readonly stream: Stream<Batch>;
  readonly controllers?: readonly Controller[];
  readonly feedback?: FeedbackOptions;
  /** The head that reads the classes of a model trained on it alone, when its batches are not class batches. */
  readonly head?: TargetSpec;
  dispose?(): void;
}

/** A named warm-up source: how to make its stream for a run. */
export interface WarmupSource {
  /** The procedural task whose parameters {@link SourceContext.params} set; unset for sources built on none. */
  readonly procedural?: Task<any>;
  make(ctx: SourceContext): SyntheticSource;
}

/** A task as a warm-up source: `generate(task, { seed, batchSize, params })`, the context's params applied. */
export function taskSource(task: Task<any>): WarmupSource {
  return {
    procedural: task,
    make: (ctx) => ({ stream: generate(task, { seed: ctx.seed, batchSize: ctx.batchSize, ...(ctx.params ? { params: ctx.params as never } : {}) }) }),
  };
}

/**
 * The last `count` training images, for feedback to adaptive sources. They are
 * unseen during a warm-up; a real phase sampling the whole set may meet them.
 * A training set of fewer is held out whole.
 */
export function heldOutOf(train: MnistDataset, count = 1000): MnistDataset {
  const k = Math.min(count, train.count);
  const n = train.x.length / train.count;
  return { ...train, x: train.x.subarray((train.count - k) * n), y: train.y.subarray(train.count - k), count: k };
}

/**
 * The named sources that `params` reach: those built on a procedural task.
 * Checks that there is one, and that its task declares each key and accepts
 * its value; the other sources run as they would without. `argument` names
 * the option in errors.
 */
export function sourcesTakingParams(
  all: Readonly<Record<string, WarmupSource>>,
  names: readonly string[],
  params: Readonly<Record<string, unknown>> | undefined,
  argument: string,
): string[] {
  if (params === undefined) return [];
  const takers = names.filter((name) => all[name]?.procedural);
  if (takers.length === 0) {
    const some = Object.keys(all).filter((k) => all[k].procedural);
    throw new OtfgenArgumentError(
      argument,
      `sets the parameters of a procedural task, and none of ${names.join(', ')} is built on one; those that are: ${some.join(', ')}`,
    );
  }
  for (const name of takers) checkParams(all[name].procedural!, params as Record<string, never>, argument);
  return takers;
}
