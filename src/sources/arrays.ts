/** arraySource: a dataset held in typed arrays, as a stream of batches reshuffled each epoch. */
import { allocBatch, checkBatchSize, sampleLength, type Batch, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkBoolean, checkInt, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { Stream } from '../stream/stream.js';

/** Samples and targets in memory. Uint8 samples are scaled by 1/255; Float32 ones are taken as they are. */
export interface ArrayDataset {
  /** The samples, one after another, `prod(sampleShape)` values each. */
  readonly x: Uint8Array | Float32Array;
  /** One class id per sample for class targets, else `target.size` values per sample. */
  readonly y: Uint8Array | Int32Array | Float32Array;
  /** One sample's shape, e.g. [28, 28, 1]. */
  readonly sampleShape: readonly number[];
  /** What `y` holds. */
  readonly target: TargetSpec;
}

/**
 * Options of {@link arraySource}.
 * @inline
 */
export interface ArraySourceOptions {
  /** Samples per batch, default 64. */
  readonly batchSize?: number;
  /** Seeds the shuffles (default 0). */
  readonly seed?: Seed;
  /** Shuffle each epoch (default true); epoch e uses its own permutation from (seed, e). */
  readonly shuffle?: boolean;
  /** Passes over the data (default 1; `Infinity` for endless). */
  readonly epochs?: number;
  /** Drop each epoch's last short batch (default false). */
  readonly dropRemainder?: boolean;
}

/** Number of samples in a dataset, after checking its arrays agree. */
export function datasetCount(data: ArrayDataset, argument = 'dataset'): number {
  if (!data || !(data.x instanceof Uint8Array || data.x instanceof Float32Array)) {
    throw new OtfgenArgumentError(`${argument}.x`, 'expected a Uint8Array or Float32Array');
  }
  if (!Array.isArray(data.sampleShape) || data.sampleShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new OtfgenArgumentError(`${argument}.sampleShape`, `expected positive integers, got ${describe(data.sampleShape)}`);
  }
  const n = sampleLength(data.sampleShape);
  if (data.x.length % n !== 0) {
    throw new OtfgenArgumentError(`${argument}.x`, `length ${data.x.length} is not a multiple of the sample length ${n} ([${data.sampleShape.join(', ')}])`);
  }
  const count = data.x.length / n;
  const per = data.target?.kind === 'class' ? 1 : data.target?.kind === 'regression' ? data.target.size : NaN;
  if (!Number.isFinite(per)) throw new OtfgenArgumentError(`${argument}.target`, "expected { kind: 'class', classes } or { kind: 'regression', size }");
  if (!ArrayBuffer.isView(data.y) && !Array.isArray(data.y))
    throw new OtfgenArgumentError(`${argument}.y`, `expected a typed array of targets, got ${describe(data.y)}`);
  if (data.y.length !== count * per) {
    throw new OtfgenArgumentError(`${argument}.y`, `has ${data.y.length} values; ${count} samples need ${count * per}`);
  }
  return count;
}

/**
 * The indices of the samples of each class, in order, from class ids `y`;
 * a label that is not a class id in 0..classes − 1 is refused, naming
 * `argument[i]`.
 */
export function indicesByClass(y: ArrayLike<number>, classes: number, argument: string): number[][] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new OtfgenArgumentError(`${argument}[${i}]`, `expected a class id in 0..${classes - 1}, got ${describe(label)}`);
    byClass[label].push(i);
  }
  return byClass;
}

/**
 * @example
 * ```ts
 * import { mnist } from 'otfgen/node';
 * const train = arraySource(await mnist({ split: 'train' }), { batchSize: 64, seed: 1, epochs: Infinity });
 * ```
 */
export function arraySource(data: ArrayDataset, options: ArraySourceOptions = {}): Stream<Batch> {
  checkKeys('arraySource options', options, ['batchSize', 'seed', 'shuffle', 'epochs', 'dropRemainder']);
  const count = datasetCount(data, 'arraySource(data)');
  const batchSize = checkBatchSize('arraySource options.batchSize', options.batchSize ?? 64, data.sampleShape);
  const epochs = options.epochs ?? 1;
  if (epochs !== Infinity) checkInt('arraySource options.epochs', epochs, 0);
  if (count === 0 && epochs > 0) throw new OtfgenArgumentError('arraySource(data)', 'holds no samples');
  const perEpoch = options.dropRemainder ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
  const seed = checkSeed('arraySource options.seed', options.seed ?? 0);
  const shuffled = checkBoolean('arraySource options.shuffle', options.shuffle ?? true);
  const n = sampleLength(data.sampleShape);
  const per = data.target.kind === 'class' ? 1 : data.target.size;
  const scale = data.x instanceof Uint8Array ? 1 / 255 : 1;
  return new Stream<Batch>(
    async function* () {
      const order = new Int32Array(count);
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let i = 0; i < count; i++) order[i] = i;
        if (shuffled) {
          const rng = Rng.forIndex(seed, epoch, 'epoch');
          for (let i = count - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            const t = order[i];
            order[i] = order[j];
            order[j] = t;
          }
        }
        for (let b = 0; b < perEpoch; b++) {
          const size = Math.min(batchSize, count - b * batchSize);
          yield gather(data, order, b * batchSize, size, n, per, scale);
        }
      }
    },
    epochs === Infinity ? Infinity : perEpoch * epochs,
  );
}

/** A batch of the samples order[start .. start + size). Outside the generator, so V8 optimises it on its own. */
function gather(data: ArrayDataset, order: Int32Array, start: number, size: number, n: number, per: number, scale: number): Batch {
  const out = allocBatch(size, data.sampleShape, data.target);
  for (let i = 0; i < size; i++) {
    const s = order[start + i];
    if (data.x instanceof Uint8Array) copyScaled(data.x, s * n, out.x, i * n, n, scale);
    else out.x.set(data.x.subarray(s * n, (s + 1) * n), i * n);
    for (let j = 0; j < per; j++) out.y[i * per + j] = data.y[s * per + j];
  }
  return out;
}

/**
 * Hot path: one sample of uint8 pixels to floats. Kept monomorphic (one array
 * type per call site): reading through a Uint8Array | Float32Array union made
 * this copy 4x slower.
 */
function copyScaled(src: Uint8Array, from: number, dst: Float32Array, to: number, n: number, scale: number): void {
  for (let j = 0; j < n; j++) dst[to + j] = src[from + j] * scale;
}
