/**
 * Read-back: the reverse of training on generated images and testing on real
 * ones. A CNN is trained on the real training images, then classifies
 * generated ones: a class it reads as itself is drawn as the real ones look (to
 * it); one it reads as another class is drawn like that class.
 */
import { checkKeys, OtfgenArgumentError, checkInt } from '../core/errors.js';
import { arraySource, type ArrayDataset } from '../sources/arrays.js';
import type { ParamSpace, ParamValues, Task } from '../tasks/define-task.js';
import { generate } from '../tasks/generate.js';
import { createModel, type Architecture } from './models.js';
import { evaluate, train } from './train.js';

/** Options of {@link readBack}. */
export interface ReadBackOptions<P extends ParamSpace> {
  /** A class task whose samples have the real images' shape and whose classes are theirs, in their order. */
  readonly task: Task<P>;
  /** The task's parameters (default: its defaults). */
  readonly params?: Partial<ParamValues<P>>;
  /** The real training images the CNN learns, with class targets (e.g. `await mnist({ split: 'train' })`). */
  readonly train: ArrayDataset;
  /** Real test images: the CNN's own accuracy on them is reported too (optional). */
  readonly test?: ArrayDataset;
  /** Training steps (default 1000), one-cycle. */
  readonly steps?: number;
  /** Samples per step (default 64). */
  readonly batchSize?: number;
  /** Seeds the CNN's weights and the order of the real images (default 1). */
  readonly seed?: number;
  /** Generated images to read (default 10,000): batch 0 of `generate(task, { seed: sampleSeed, batchSize: count })`. */
  readonly count?: number;
  /** The generated images' stream seed (default 1): the same images whatever `seed` is. */
  readonly sampleSeed?: number;
  /** The CNN (default 'reference'). */
  readonly architecture?: Architecture;
  /**
   * When it aborts, training stops within a few steps, the model is disposed, and `readBack`
   * rejects with the signal's reason (an `AbortError` unless the signal was given another).
   */
  readonly signal?: AbortSignal;
}

/** What {@link readBack} measured. */
export interface ReadBackResult {
  /** The CNN's accuracy on the real test images, when given. */
  readonly realTestAccuracy?: number;
  /** The share of the generated images it reads as their own class. */
  readonly accuracy: number;
  /** Per class of the generated images, the share read as that class. */
  readonly perClass: readonly number[];
  /** confusion[class generated][class read], counts. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Trains a CNN on real images, then has it classify generated ones; the model
 * is disposed before it returns. Same options, same result.
 * @example
 * ```ts
 * import { digits } from 'otfgen';
 * import { readBack } from 'otfgen/harness';
 * import { mnist } from 'otfgen/node';
 *
 * const r = await readBack({ task: digits, train: await mnist({ split: 'train' }), steps: 1000 });
 * console.log(r.accuracy, r.perClass); // how many of our digits a CNN trained on MNIST reads as their digit
 * ```
 */
export async function readBack<P extends ParamSpace>(options: ReadBackOptions<P>): Promise<ReadBackResult> {
  checkKeys('readBack options', options, ['task', 'params', 'train', 'test', 'steps', 'batchSize', 'seed', 'count', 'sampleSeed', 'architecture', 'signal']);
  const { task, train: real } = options;
  const t = task?.target;
  if (real?.target?.kind !== 'class')
    throw new OtfgenArgumentError('readBack options.train', 'expected real images with class targets, such as mnist() returns');
  const classes = real.target.classes;
  if (t?.kind !== 'class' || t.classes !== classes) {
    throw new OtfgenArgumentError(
      'readBack options.task',
      `expected a class task with the real images' ${classes} classes, got '${task?.name}' (${t?.kind === 'class' ? `${t.classes} classes` : `${t?.kind ?? 'no'} target`})`,
    );
  }
  if (task.sampleShape.join('x') !== real.sampleShape.join('x')) {
    throw new OtfgenArgumentError(
      'readBack options.task',
      `expected samples of the real images' shape [${real.sampleShape.join(', ')}], got '${task.name}' with [${task.sampleShape.join(', ')}]`,
    );
  }
  const steps = checkInt('readBack options.steps', options.steps ?? 1000, 1);
  const batchSize = checkInt('readBack options.batchSize', options.batchSize ?? 64, 1);
  const seed = checkInt('readBack options.seed', options.seed ?? 1, 0);
  const count = checkInt('readBack options.count', options.count ?? 10_000, 1);
  options.signal?.throwIfAborted();
  // Rendered before the model exists: bad params fail with nothing to dispose.
  const [batch] = await generate(task, { seed: options.sampleSeed ?? 1, batchSize: count, params: options.params })
    .take(1)
    .toArray();
  const generated: ArrayDataset = { x: batch.x, y: batch.y, sampleShape: task.sampleShape, target: t };
  const model = createModel({ seed, architecture: options.architecture, inputShape: task.sampleShape });
  try {
    const r = await train({
      model,
      steps: arraySource(real, { batchSize, seed, epochs: Infinity }),
      totalSteps: steps,
      lrSchedule: 'one-cycle',
      ...(options.test ? { evaluation: { data: options.test } } : {}),
      signal: options.signal,
    });
    if (r.interrupted) throw options.signal!.reason;
    const read = await evaluate(model, { data: generated });
    return {
      ...(r.final ? { realTestAccuracy: r.final.accuracy } : {}),
      accuracy: read.accuracy,
      perClass: read.perClass,
      confusion: read.confusion,
    };
  } finally {
    model.dispose();
  }
}
