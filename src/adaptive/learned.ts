/**
 * learnedAugmenter: a small sampler network that maps an image and noise to
 * bounded affine-warp parameters, trained against the classifier: each batch
 * it takes a step to raise the classifier's loss on the warped images (the
 * study's experiment 1). It acts as a stream operator on batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, checkNumber, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { Stream, sizeOf } from '../stream/stream.js';
import { toTensors } from '../stream/tensors.js';
import { checkGradients, clipByGlobalNorm } from './gradients.js';
import { AFFINE_PARAM_NAMES, affineWarpTensor, elasticDisplacement } from './warp.js';
import type { Controller, TrainingSignal } from './controller.js';

/** Options of {@link learnedAugmenter}. */
export interface LearnedAugmenterOptions {
  /**
   * The classifier being trained: images `[n, height, width, channels]` to
   * logits `[n, classes]`. It is called, not trained, here: only the
   * sampler's weights change. With the harness: `(x) => model.modelFor(target).apply(x)`.
   */
  readonly classifier: (images: tf.Tensor4D) => tf.Tensor;
  /** Seeds the sampler's weights and noise (default 0). */
  readonly seed?: Seed;
  /** Largest rotation either way, degrees (default 30). */
  readonly maxRotation?: number;
  /** Largest shift along each axis, pixels (default 3). */
  readonly maxTranslation?: number;
  /** Largest zoom change: scale within 1 ± this (default 0.2, below 1). */
  readonly maxScale?: number;
  /** Largest shear either way, degrees (default 15). */
  readonly maxShear?: number;
  /**
   * Largest move in pixels of each point of a `grid` x `grid` lattice whose
   * displacement the sampler also outputs: a smooth elastic warp on top of the
   * affine one (default 0: affine only).
   */
  readonly maxElastic?: number;
  /**
   * 'max' (default, as in the study): the sampler's warp as it is (an
   * adversary drives most warps to their bounds); 'uniform': each image gets
   * it times a uniform random factor in [0, 1], so a batch keeps mild samples too.
   */
  readonly strength?: 'uniform' | 'max';
  /**
   * Weight of a diversity term in the sampler's objective (default 0): it
   * also maximises how far an image's warp moves (in units of its bounds) when
   * its noise changes, so the adversary keeps a spread of warps per image
   * instead of one. Needs `noiseSize` > 0.
   */
  readonly diversity?: number;
  /**
   * A teacher (images to logits) whose loss the sampler also keeps low: it
   * maximises the classifier's loss minus `teacherWeight` times the teacher's,
   * so warps that no model could read (the teacher fails too) earn nothing
   * (TeachAugment, Suzuki 2022: there the teacher is an exponential moving
   * average of the classifier). Called, not trained, here.
   */
  readonly teacher?: (images: tf.Tensor4D) => tf.Tensor;
  /** Weight of the teacher's loss in the sampler's objective (default 1; needs `teacher`). */
  readonly teacherWeight?: number;
  /** Control points per side of the elastic lattice (default 3). */
  readonly grid?: number;
  /** Batches over which the warp bounds grow from 0 to their maxima (default 100; 0: full from the start). */
  readonly ramp?: number;
  /** Adam learning rate of the sampler (default 0.001). */
  readonly learningRate?: number;
  /** Clip the sampler's gradient to this global norm (default 1; 0: off). */
  readonly clipNorm?: number;
  /** Noise values per image fed to the sampler (default 8). */
  readonly noiseSize?: number;
  /** Hidden units of the sampler (default 32). */
  readonly hidden?: number;
}

/** One augmented batch: mean absolute warp per parameter, and the classifier's loss on it. */
export interface AugmenterLogEntry {
  /** The index of the batch in the augmented stream, from 0. */
  readonly batch: number;
  /** The ramp factor in [0, 1] the bounds were scaled by. */
  readonly ramp: number;
  /** Classifier cross-entropy on the warped batch, before the sampler's step (NaN while the ramp is 0: no step). */
  readonly loss: number;
  /** Mean |rotation|, |scale - 1|, |shear|, |shiftX|, |shiftY| of the batch, and mean |move| of the elastic lattice points. */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Makes an adversarial augmenter. Pipe batches through `augment`; call
 * `dispose()` when done (it owns tfjs variables).
 * @example
 * ```ts
 * const aug = learnedAugmenter({ classifier: (x) => net.apply(x) as tf.Tensor, seed: 1, ramp: 50 });
 * const noWarp = { rotation: 0, scale: 1, shear: 0, shift: 0 }; // the augmenter warps them
 * const synthetic = generate(exemplarTask(pickExemplars(trainSet, { seed: 1 })), { seed: 1, params: noWarp }).pipe(aug.augment);
 * await train({ model, steps: warmupSchedule({ synthetic, real, totalSteps: 500, warmup: 0.3 }) });
 * aug.dispose();
 * ```
 */
export function learnedAugmenter(options: LearnedAugmenterOptions): LearnedAugmenter {
  checkKeys('learnedAugmenter options', options, [
    'classifier',
    'seed',
    'maxRotation',
    'maxTranslation',
    'maxScale',
    'maxShear',
    'maxElastic',
    'strength',
    'diversity',
    'teacher',
    'teacherWeight',
    'grid',
    'ramp',
    'learningRate',
    'clipNorm',
    'noiseSize',
    'hidden',
  ]);
  return new LearnedAugmenter(options);
}

/** What `learnedAugmenter` returns: a controller whose `augment` operator warps batches against the classifier. */
export class LearnedAugmenter implements Controller {
  readonly name = 'learned-augmenter';
  /** One entry per augmented batch. */
  readonly log: AugmenterLogEntry[] = [];
  private readonly bounds: Float32Array;
  private readonly seed: Seed;
  private readonly ramp: number;
  private readonly clipNorm: number;
  private readonly noiseSize: number;
  private readonly hidden: number;
  private readonly maxElastic: number;
  private readonly grid: number;
  private readonly strength: 'uniform' | 'max';
  private readonly diversity: number;
  private readonly teacherWeight: number;
  private readonly optimizer: tf.Optimizer;
  private weights: tf.Variable[] | null = null;
  private batches = 0;
  private disposed = false;

  constructor(private readonly options: LearnedAugmenterOptions) {
    if (!options || typeof options.classifier !== 'function') {
      throw new OtfgenArgumentError('learnedAugmenter options.classifier', 'expected a function from images [n, h, w, c] to logits [n, classes]');
    }
    this.bounds = Float32Array.from([
      checkNumber('learnedAugmenter options.maxRotation', options.maxRotation ?? 30, 0, 180),
      checkNumber('learnedAugmenter options.maxScale', options.maxScale ?? 0.2, 0, 0.99),
      checkNumber('learnedAugmenter options.maxShear', options.maxShear ?? 15, 0, 60),
      checkNumber('learnedAugmenter options.maxTranslation', options.maxTranslation ?? 3, 0, 100),
      options.maxTranslation ?? 3,
    ]);
    this.seed = checkSeed('learnedAugmenter options.seed', options.seed ?? 0);
    this.ramp = checkInt('learnedAugmenter options.ramp', options.ramp ?? 100, 0);
    this.clipNorm = checkNumber('learnedAugmenter options.clipNorm', options.clipNorm ?? 1, 0);
    this.noiseSize = checkInt('learnedAugmenter options.noiseSize', options.noiseSize ?? 8, 0, 1024);
    this.hidden = checkInt('learnedAugmenter options.hidden', options.hidden ?? 32, 1, 4096);
    this.maxElastic = checkNumber('learnedAugmenter options.maxElastic', options.maxElastic ?? 0, 0, 100);
    this.grid = checkInt('learnedAugmenter options.grid', options.grid ?? 3, 2, 16);
    this.strength = options.strength ?? 'max';
    this.diversity = checkNumber('learnedAugmenter options.diversity', options.diversity ?? 0, 0);
    if (this.diversity > 0 && this.noiseSize === 0)
      throw new OtfgenArgumentError('learnedAugmenter options.diversity', 'needs noise to measure the spread: give noiseSize > 0');
    if (options.teacher !== undefined && typeof options.teacher !== 'function') {
      throw new OtfgenArgumentError(
        'learnedAugmenter options.teacher',
        `expected a function from images [n, h, w, c] to logits [n, classes], got ${describe(options.teacher)}`,
      );
    }
    if (options.teacherWeight !== undefined && options.teacher === undefined)
      throw new OtfgenArgumentError('learnedAugmenter options.teacherWeight', 'needs options.teacher');
    this.teacherWeight = checkNumber('learnedAugmenter options.teacherWeight', options.teacherWeight ?? 1, 0);
    if (this.strength !== 'uniform' && this.strength !== 'max')
      throw new OtfgenArgumentError('learnedAugmenter options.strength', `expected 'uniform' or 'max', got ${describe(this.strength)}`);
    this.optimizer = tf.train.adam(checkNumber('learnedAugmenter options.learningRate', options.learningRate ?? 0.001, 0));
  }

  /**
   * The stream operator: each batch of class-labelled images comes out warped
   * (same labels), after one adversarial step of the sampler on it.
   * Usable as `stream.pipe(aug.augment)`.
   */
  readonly augment = (source: AsyncIterable<Batch>): Stream<Batch> => {
    const self = this;
    return new Stream<Batch>(async function* () {
      for await (const batch of source) yield self.step(batch);
    }, sizeOf(source));
  };

  /** Augments one batch (and trains the sampler on it). */
  step(batch: Batch): Batch {
    if (this.disposed) throw new OtfgenArgumentError('learnedAugmenter', 'was disposed; make a new one');
    checkImages(batch);
    checkGradients('learnedAugmenter');
    const k = this.batches++;
    const ramp = this.ramp === 0 ? 1 : Math.min(1, k / this.ramp);
    const { xs, ys } = toTensors(batch);
    const images = xs as tf.Tensor4D;
    const weights = this.weightsFor(batch.sampleShape);
    const noise = this.noise(k, batch.size);
    const strength = this.strengthOf(k, batch.size, ramp);
    try {
      let loss = NaN;
      if (ramp > 0) {
        let classifierLoss: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const r = this.warpOf(images, noise, strength);
          const ce = tf.losses.softmaxCrossEntropy(ys, this.options.classifier(r.warped)) as tf.Scalar;
          classifierLoss = tf.keep(ce);
          const teacher = this.options.teacher;
          const gain = teacher ? tf.sub(ce, tf.mul(tf.losses.softmaxCrossEntropy(ys, teacher(r.warped)), this.teacherWeight)) : ce;
          if (this.diversity === 0) return tf.neg(gain) as tf.Scalar;
          // Mode-seeking term: how far each image's warp moves when its noise changes (the
          // noise rows rolled by one), so the sampler cannot settle on one warp per image.
          const otherNoise = tf.concat([tf.slice(noise, [1, 0], [-1, -1]), tf.slice(noise, [0, 0], [1, -1])], 0);
          const spread = tf.mean(tf.abs(tf.sub(r.raw, this.samplerOf(images, otherNoise))));
          return tf.neg(tf.add(gain, tf.mul(spread, this.diversity))) as tf.Scalar;
        }, weights);
        loss = classifierLoss!.dataSync()[0];
        tf.dispose(classifierLoss!);
        const clipped = this.clipNorm > 0 ? clipByGlobalNorm(grads, this.clipNorm) : grads;
        this.optimizer.applyGradients(clipped);
        tf.dispose([value, grads as unknown as tf.Tensor[], clipped as unknown as tf.Tensor[]]);
      }
      const [warped, params, elastic] = tf.tidy(() => {
        const r = this.warpOf(images, noise, strength);
        return [r.warped, r.params, r.elastic ?? tf.zeros([0])];
      });
      const x = warped.dataSync() as Float32Array;
      const p = params.dataSync();
      const e = elastic.dataSync() as Float32Array;
      tf.dispose([warped, params, elastic]);
      const values: Record<string, number> = {};
      AFFINE_PARAM_NAMES.forEach((name, j) => {
        let s = 0;
        for (let i = 0; i < batch.size; i++) s += Math.abs(p[i * 5 + j] - (j === 1 ? 1 : 0));
        values[name] = s / batch.size;
      });
      if (e.length > 0) values.elastic = e.reduce((a, v) => a + Math.abs(v), 0) / e.length;
      this.log.push({ batch: k, ramp, loss, values });
      return { ...batch, x };
    } finally {
      tf.dispose([xs, ys, noise, strength]);
    }
  }

  /** Warp parameters `[n, 5]` the sampler gives these images now (at full bounds). The caller disposes it. */
  paramsFor(images: tf.Tensor4D): tf.Tensor2D {
    this.weightsFor(images.shape.slice(1));
    const noise = this.noise(this.batches, images.shape[0]);
    const strength = tf.ones([images.shape[0], 1]) as tf.Tensor2D;
    try {
      return tf.tidy(() => this.split(this.samplerOf(images, noise), images.shape[0], strength).params);
    } finally {
      tf.dispose([noise, strength]);
    }
  }

  /** Controller interface: the augmenter learns from its own batches, not from training signals. */
  observe(_signal: TrainingSignal): void {}

  /** The latest batch's mean warp magnitudes and adversarial loss, for run records. */
  current(): Record<string, number> {
    const last = this.log[this.log.length - 1];
    return last ? { ...last.values, ...(Number.isFinite(last.loss) ? { adversarialLoss: last.loss } : {}), ramp: last.ramp } : {};
  }

  /** Frees the sampler's variables and optimiser state. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    if (this.weights) tf.dispose(this.weights);
  }

  /** The sampler's raw outputs in [-1, 1]: 5 affine values, then the lattice's moves. */
  private samplerOf(images: tf.Tensor4D, noise: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.weights!;
    const n = images.shape[0];
    const f = poolSize(images.shape[1], images.shape[2]);
    const pooled = tf.reshape(tf.avgPool(images, f, f, 'valid'), [n, -1]);
    const input = this.noiseSize > 0 ? tf.concat([pooled, noise], 1) : pooled;
    const hidden = tf.relu(tf.add(tf.matMul(input, w1), b1));
    return tf.tanh(tf.add(tf.matMul(hidden, w2), b2)) as tf.Tensor2D;
  }

  /** Affine parameters `[n, 5]` (scale is 1 plus its part) and lattice moves, bounded, times each image's strength `[n, 1]`. */
  private split(raw: tf.Tensor2D, n: number, strength: tf.Tensor2D): { params: tf.Tensor2D; control: tf.Tensor4D | null } {
    const affine = tf.mul(tf.slice(raw, [0, 0], [n, 5]), strength);
    const params = tf.add(tf.mul(affine, tf.tensor2d(this.bounds, [1, 5])), tf.tensor2d([[0, 1, 0, 0, 0]])) as tf.Tensor2D;
    if (this.maxElastic === 0) return { params, control: null };
    const moves = tf.mul(tf.mul(tf.slice(raw, [0, 5], [n, 2 * this.grid * this.grid]), strength), this.maxElastic);
    return { params, control: tf.reshape(moves, [n, this.grid, this.grid, 2]) as tf.Tensor4D };
  }

  private warpOf(
    images: tf.Tensor4D,
    noise: tf.Tensor2D,
    strength: tf.Tensor2D,
  ): { warped: tf.Tensor4D; params: tf.Tensor2D; elastic: tf.Tensor4D | null; raw: tf.Tensor2D } {
    const [n, h, w] = images.shape;
    const raw = this.samplerOf(images, noise);
    const { params, control } = this.split(raw, n, strength);
    const displacement = control ? elasticDisplacement(control, h, w) : undefined;
    return { warped: affineWarpTensor(images, params, { displacement }), params, elastic: control, raw };
  }

  /** Creates the sampler's weights on first use, from the seed (Glorot-uniform, zero biases). */
  private weightsFor(shape: readonly number[]): tf.Variable[] {
    const f = poolSize(shape[0], shape[1]);
    const features = Math.floor(shape[0] / f) * Math.floor(shape[1] / f) * shape[2] + this.noiseSize;
    if (this.weights) {
      if (this.weights[0].shape[0] !== features) {
        throw new OtfgenArgumentError('learnedAugmenter batch.sampleShape', `the sampler was built for another image size; got [${shape.join(', ')}]`);
      }
      return this.weights;
    }
    const rng = new Rng(`${this.seed}/learned-augmenter`);
    const glorot = (rows: number, cols: number) => {
      const limit = Math.sqrt(6 / (rows + cols));
      return tf.variable(
        tf.tensor2d(
          Float32Array.from({ length: rows * cols }, () => rng.uniform(-limit, limit)),
          [rows, cols],
        ),
      );
    };
    // Inside tidy: a variable copies its initial tensor, which tidy then frees.
    const outputs = 5 + (this.maxElastic > 0 ? 2 * this.grid * this.grid : 0);
    this.weights = tf.tidy(() => [
      glorot(features, this.hidden),
      tf.variable(tf.zeros([this.hidden])),
      glorot(this.hidden, outputs),
      tf.variable(tf.zeros([outputs])),
    ]);
    return this.weights;
  }

  /** How much of its warp each image gets `[n, 1]`: the ramp, times a uniform draw in [0, 1] with strength 'uniform'. */
  private strengthOf(k: number, n: number, ramp: number): tf.Tensor2D {
    if (this.strength === 'max') return tf.fill([n, 1], ramp) as tf.Tensor2D;
    const rng = Rng.forIndex(this.seed, k, 'learned-augmenter-strength');
    return tf.tensor2d(
      Float32Array.from({ length: n }, () => ramp * rng.next()),
      [n, 1],
    );
  }

  private noise(k: number, n: number): tf.Tensor2D {
    const rng = Rng.forIndex(this.seed, k, 'learned-augmenter-noise');
    return tf.tensor2d(
      Float32Array.from({ length: n * this.noiseSize }, () => rng.normal()),
      [n, this.noiseSize],
    );
  }
}

/** Pools images to about 7x7 features for the sampler. */
function poolSize(h: number, w: number): number {
  return Math.max(1, Math.floor(Math.min(h, w) / 7));
}

function checkImages(batch: Batch): void {
  const s = batch.sampleShape;
  if (s.length !== 3) throw new OtfgenArgumentError('learnedAugmenter batch.sampleShape', `expected images [height, width, channels], got [${s.join(', ')}]`);
  if (batch.target.kind !== 'class')
    throw new OtfgenArgumentError(
      'learnedAugmenter batch.target',
      `expected class targets (the classifier's loss needs labels), got ${describe(batch.target.kind)}`,
    );
}
