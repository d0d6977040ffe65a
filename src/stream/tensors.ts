/** Tensors at the edge: a batch as `{ xs, ys }`, and a dataset that `model.fitDataset` accepts. */
import * as tf from '@tensorflow/tfjs-core';
import { checkBatch, type Batch } from '../core/batch.js';
import { checkAsyncIterable } from './stream.js';
import { checkKeys, OtfgenArgumentError, describe } from '../core/errors.js';

/**
 * Options of {@link toTensors}.
 * @inline
 */
export interface ToTensorsOptions {
  /**
   * Class targets as 'oneHot' float32 [n, classes] (default, for categoricalCrossentropy) or 'index'
   * float32 [n] class ids (for sparseCategoricalCrossentropy, which takes float32 labels only).
   */
  readonly labels?: 'oneHot' | 'index';
}

/**
 * A batch as tensors: one tensor for all samples, one for all targets.
 * @inline
 */
export interface TensorBatch {
  /** The samples, float32 [n, ...sampleShape]. */
  readonly xs: tf.Tensor;
  /** The targets: one-hot float32 [n, classes] or float32 [n] class ids for classes, float32 [n, size] for regression. */
  readonly ys: tf.Tensor;
}

/**
 * Converts a batch to `{ xs: [n, ...sampleShape], ys }`. Regression targets are
 * float32 [n, size]. The caller owns (and disposes) both tensors.
 * @example
 * ```ts
 * const { xs, ys } = toTensors(batch);
 * await net.trainOnBatch(xs, ys);
 * tf.dispose([xs, ys]);
 * ```
 */
export function toTensors(batch: Batch, options: ToTensorsOptions = {}): TensorBatch {
  checkKeys('toTensors options', options, ['labels']);
  const labels = options.labels ?? 'oneHot';
  if (labels !== 'oneHot' && labels !== 'index')
    throw new OtfgenArgumentError('toTensors options.labels', `expected 'oneHot' or 'index', got ${describe(labels)}`);
  checkBatch('toTensors batch', batch);
  const xs = tf.tensor(batch.x, [batch.size, ...batch.sampleShape], 'float32');
  const t = batch.target;
  if (t.kind === 'regression') return { xs, ys: tf.tensor2d(batch.y, [batch.size, t.size], 'float32') };
  if (labels === 'index') return { xs, ys: tf.tensor1d(batch.y, 'float32') };
  // One-hot built on the CPU side: one tensor made, none to dispose.
  const oneHot = new Float32Array(batch.size * t.classes);
  for (let i = 0; i < batch.size; i++) oneHot[i * t.classes + batch.y[i]] = 1;
  return { xs, ys: tf.tensor2d(oneHot, [batch.size, t.classes], 'float32') };
}

/**
 * The part of tfjs's Dataset that `model.fitDataset` uses, and `close()`.
 * @inline
 */
export interface FitDataset {
  /**
   * Batches per pass: a count, or `NaN` when unknown (tfjs types this as a
   * number). For an endless stream, reading it throws an error naming
   * `batchesPerEpoch`: tfjs reads it only when `fitDataset` was given no
   * `batchesPerEpoch`, and would then wait for an epoch that never ends.
   */
  readonly size: number;
  /** A fresh pass: tfjs calls it once per epoch (or, with `batchesPerEpoch`, when a pass runs out). It closes the pass before it. */
  iterator(): Promise<{
    /** The next batch as tensors. */
    next(): Promise<IteratorResult<TensorBatch>>;
  }>;
  /**
   * Ends the pass under way: `return()` runs up the stream (worker threads
   * stop, files close). tfjs never ends a pass it leaves unfinished (an
   * endless stream with `batchesPerEpoch`), so call it after `fitDataset`.
   */
  close(): Promise<void>;
}

/**
 * Adapts a batch stream for `model.fitDataset` (no tfjs-data needed). Each
 * `iterator()` opens a fresh pass; fitDataset disposes each batch's tensors.
 * An endless stream needs fitDataset's `batchesPerEpoch`, and `close()`
 * after it, so its source (worker threads, say) stops.
 * @example
 * ```ts
 * await net.fitDataset(toDataset(arraySource(trainSet, { batchSize: 64 })), { epochs: 2 });
 *
 * const endless = toDataset(generate(digits, { seed: 1 }));
 * await net.fitDataset(endless, { epochs: 5, batchesPerEpoch: 100 });
 * await endless.close();
 * ```
 */
export function toDataset(stream: AsyncIterable<Batch> & { size?: number | null }, options: ToTensorsOptions = {}): FitDataset {
  checkKeys('toDataset options', options, ['labels']);
  checkAsyncIterable('toDataset(stream)', stream, 'an async iterable of batches');
  const size = stream.size ?? NaN;
  let open: AsyncIterator<Batch> | null = null;
  const close = async () => {
    const it = open;
    open = null;
    await it?.return?.();
  };
  return {
    get size(): number {
      if (size === Infinity) {
        throw new OtfgenArgumentError(
          'fitDataset options.batchesPerEpoch',
          'the stream is endless, so an epoch never ends without it: model.fitDataset(toDataset(stream), { epochs, batchesPerEpoch }), then close() the dataset',
        );
      }
      return size;
    },
    async iterator() {
      await close();
      const it = stream[Symbol.asyncIterator]();
      open = it;
      return {
        async next(): Promise<IteratorResult<TensorBatch>> {
          const r = await it.next();
          if (r.done && open === it) open = null;
          return r.done ? { done: true, value: undefined } : { done: false, value: toTensors(r.value, options) };
        },
        async return(): Promise<IteratorResult<TensorBatch>> {
          if (open === it) open = null;
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
    close,
  };
}
