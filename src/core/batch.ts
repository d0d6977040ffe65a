/**
 * The unit that flows through every stream: one typed array of samples and one
 * of targets, sample-major.
 */
import { OtfgenArgumentError, checkInt, checkPositive, describe } from './errors.js';

/** What a batch's `y` holds: class ids, or regression targets of `size` values per sample. */
export type TargetSpec =
  | {
      /** Class ids in `y`, one per sample (Int32Array). */
      readonly kind: 'class';
      /** How many classes: ids run from 0 to classes − 1. */
      readonly classes: number;
    }
  | {
      /** `size` float targets per sample in `y` (Float32Array). */
      readonly kind: 'regression';
      /** Target values per sample. */
      readonly size: number;
      /**
       * Set for teacher logits (`logitsTarget(classes, temperature)`): the values are logits, learnt by
       * softened cross-entropy at this temperature (T² · CE(softmax(y / T), softmax(output / T)), as in
       * Hinton et al.'s distillation) instead of mean squared error. Same head either way.
       */
      readonly temperature?: number;
    };

/** A batch of samples. `x` holds `size * prod(sampleShape)` values in [0, 1], NHWC like tfjs. */
export interface Batch {
  /** The samples, one after another, each `prod(sampleShape)` values in [0, 1]. */
  readonly x: Float32Array;
  /** Class ids (Int32Array) for `kind: 'class'`, else `size * target.size` floats. */
  readonly y: Int32Array | Float32Array;
  /** Samples in this batch (the last batch of a finite stream may be short). */
  readonly size: number;
  /** One sample's shape, e.g. [28, 28, 1] (height, width, channels). */
  readonly sampleShape: readonly number[];
  /** What `y` holds. */
  readonly target: TargetSpec;
}

/** Number of values in one sample of the given shape. */
export function sampleLength(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The most values one batch's samples may hold: the largest typed array every engine allocates. */
const MAX_BATCH_VALUES = 2 ** 31 - 1;

/**
 * A batch size: an integer ≥ 1 whose batch of samples of `sampleShape` fits one
 * typed array, checked up front with the memory it would need (not as a
 * RangeError at the first batch). Returns it.
 */
export function checkBatchSize(argument: string, batchSize: unknown, sampleShape: readonly number[]): number {
  const size = checkInt(argument, batchSize, 1);
  const n = sampleLength(sampleShape);
  if (size * n > MAX_BATCH_VALUES) {
    const gb = ((size * n * 4) / 2 ** 30).toFixed(1);
    throw new OtfgenArgumentError(
      argument,
      `${size} samples of [${sampleShape.join(', ')}] need ${gb} GB for one batch (${size * n} float32 values, more than a typed array holds); at most ${Math.floor(MAX_BATCH_VALUES / n)} fit in one batch`,
    );
  }
  return size;
}

/** Number of target values per sample. */
export function targetLength(target: TargetSpec): number {
  return target.kind === 'class' ? 1 : target.size;
}

/** Allocates an empty batch of `size` samples. */
export function allocBatch(size: number, sampleShape: readonly number[], target: TargetSpec): Batch {
  return {
    x: new Float32Array(size * sampleLength(sampleShape)),
    y: target.kind === 'class' ? new Int32Array(size) : new Float32Array(size * target.size),
    size,
    sampleShape,
    target,
  };
}

/**
 * A batch's arrays alone: memory to render a batch into (`renderBatch`'s `into`).
 * @inline
 */
export interface BatchArrays {
  /** batchSize × the task's sample length values. */
  readonly x: Float32Array;
  /** batchSize class ids (Int32Array) for a class task, else batchSize × target size floats (Float32Array). */
  readonly y: Int32Array | Float32Array;
}

/**
 * Moves a batch's arrays out of the caller's hands: returns new views of the
 * same memory (no copy) and leaves `batch.x` and `batch.y` detached (length
 * 0). For streams that recycle batch memory.
 */
export function detachArrays(batch: Batch): BatchArrays {
  const [x, y] = structuredClone([batch.x, batch.y], { transfer: [batch.x.buffer as ArrayBuffer, batch.y.buffer as ArrayBuffer] });
  return { x, y };
}

/** Copies `count` samples of `from` starting at `fromIndex` into `to` at `toIndex`. */
export function copySamples(from: Batch, fromIndex: number, to: Batch, toIndex: number, count: number): void {
  const n = sampleLength(from.sampleShape);
  const t = targetLength(from.target);
  to.x.set(from.x.subarray(fromIndex * n, (fromIndex + count) * n), toIndex * n);
  to.y.set(from.y.subarray(fromIndex * t, (fromIndex + count) * t), toIndex * t);
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** True when two target specs describe the same kind of target. */
export function sameTarget(a: TargetSpec, b: TargetSpec): boolean {
  return a.kind === b.kind && (a.kind === 'class' ? a.classes === (b as typeof a).classes : a.size === (b as typeof a).size);
}

/** Human-readable target spec, for error messages. */
export function describeTarget(t: TargetSpec): string {
  return t.kind === 'class'
    ? `class (${t.classes} classes)`
    : `regression (${t.size} ${t.size === 1 ? 'value' : 'values'}${t.temperature === undefined ? '' : `, temperature ${t.temperature}`})`;
}

/** Throws an error naming `argument` unless `t` is a distillation temperature (a regression target's `temperature`): a finite number above 0. */
export function checkTemperature(argument: string, t: unknown): number {
  return checkPositive(argument, t, '2 is a good start');
}

/**
 * Throws an error naming `argument` unless `b` is a well-formed batch: x and y
 * of the lengths its size, sample shape and target give, class ids in an
 * Int32Array and within [0, classes). `toTensors` (so `train`) checks every
 * batch with it.
 */
export function checkBatch(argument: string, b: Batch): Batch {
  if (!b || !(b.x instanceof Float32Array)) throw new OtfgenArgumentError(argument, `expected a Batch with x: Float32Array, got ${describe(b?.x ?? b)}`);
  if (!Number.isInteger(b.size) || b.size < 0) throw new OtfgenArgumentError(`${argument}.size`, `expected an integer ≥ 0, got ${describe(b.size)}`);
  if (!Array.isArray(b.sampleShape) || !b.sampleShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new OtfgenArgumentError(`${argument}.sampleShape`, `expected an array of positive integers, got ${describe(b.sampleShape)}`);
  }
  const n = sampleLength(b.sampleShape);
  if (b.x.length === 0 && b.size > 0 && b.x.buffer.byteLength === 0) {
    // A batch of a stream with `recycle: true`, kept past the next one: its memory went on to that batch.
    throw new OtfgenArgumentError(
      `${argument}.x`,
      'is empty: the batch was recycled (a stream with recycle: true lends each batch until the next is asked for, then draws the next over its memory); copy a batch to keep it: { ...b, x: b.x.slice(), y: b.y.slice() }, or generate without recycle',
    );
  }
  if (b.x.length !== b.size * n) {
    throw new OtfgenArgumentError(
      `${argument}.x`,
      `has ${b.x.length} values but size ${b.size} x sampleShape [${b.sampleShape.join(', ')}] needs ${b.size * n}`,
    );
  }
  const t = b.target;
  if (t?.kind !== 'class' && t?.kind !== 'regression')
    throw new OtfgenArgumentError(`${argument}.target`, `expected { kind: 'class', classes } or { kind: 'regression', size }, got ${describe(t)}`);
  const wantY = b.size * targetLength(t);
  if (!(b.y instanceof Int32Array || b.y instanceof Float32Array)) {
    // Typed arrays of another kind (a dataset's Uint8Array labels, say) are named as such: copy them into the right one.
    const want = t.kind === 'class' ? 'an Int32Array of class ids' : 'a Float32Array';
    const length = (b.y as { length?: unknown } | undefined)?.length;
    throw new OtfgenArgumentError(
      `${argument}.y`,
      `expected ${want} (${wantY} values: size ${b.size} x ${targetLength(t)}), got ${describe(b.y)}${typeof length === 'number' ? ` of length ${length}` : ''}`,
    );
  }
  if (b.y.length !== wantY) {
    throw new OtfgenArgumentError(
      `${argument}.y`,
      `expected ${wantY} values (size ${b.size} x ${targetLength(t)}), got ${describe(b.y)} of length ${b.y.length}`,
    );
  }
  if (t.kind === 'regression' && t.temperature !== undefined) checkTemperature(`${argument}.target.temperature`, t.temperature);
  if (t.kind === 'class') {
    if (!(b.y instanceof Int32Array)) throw new OtfgenArgumentError(`${argument}.y`, 'class targets must be an Int32Array of class ids');
    for (let i = 0; i < b.size; i++) {
      if (b.y[i] < 0 || b.y[i] >= t.classes) throw new OtfgenArgumentError(`${argument}.y[${i}]`, `class id ${b.y[i]} is outside [0, ${t.classes - 1}]`);
    }
  }
  return b;
}
