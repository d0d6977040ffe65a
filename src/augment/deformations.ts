/**
 * learnDeformations: smooth deformations learnt per class by registering pairs
 * of images of the class onto each other, to apply to other images of the
 * class (as in Hauberg et al., "Dreaming more data: class-dependent
 * distributions over diffeomorphisms for learned data augmentation", 2016).
 * The pairs can come from a procedural task: what it learns is how shapes of a
 * class vary, as displacement fields, which `exemplarTask` then applies to a
 * few real images (its `deformation` parameter).
 */
import * as tf from '@tensorflow/tfjs-core';
import { OtfgenArgumentError, checkInt, checkNumber, checkPositive, describe } from '../errors.js';
import { checkGradients } from '../gradients.js';
import { Rng, checkSeed, type Seed } from '../random/rng.js';
import { datasetCount, indicesByClass, type ArrayDataset } from '../sources/arrays.js';
import { affineWarpTensor, elasticDisplacement } from './warp.js';

/** Deformations learnt by {@link learnDeformations}: lattices of control point moves, by class. */
export interface Deformations {
  /** Control points per side of each lattice (interpolated bilinearly over the image). */
  readonly grid: number;
  /** The images' height in pixels. */
  readonly height: number;
  /** The images' width in pixels. */
  readonly width: number;
  /**
   * Per class, its lattices one after another, `grid * grid * 2` numbers each:
   * the x then y move in pixels of each control point, row by row (a
   * `[grid, grid, 2]` tensor's order). Warping an image of the pair's first
   * image's class by one moves it towards the second.
   */
  readonly byClass: readonly Float32Array[];
  /**
   * Per class, the mean squared pixel difference of its pairs (blurred as
   * registered) before and after registration: how much of the difference
   * the lattices account for.
   */
  readonly fit: readonly {
    /** Mean squared difference of the blurred pairs as they are. */
    readonly before: number;
    /** The same after the first of each pair is warped by its lattice. */
    readonly after: number;
  }[];
}

/** Options of {@link learnDeformations}. */
export interface LearnDeformationsOptions {
  /** Pairs registered per class, each a lattice of the result (default 100). */
  readonly pairsPerClass?: number;
  /** Control points per side of a lattice, 2 to 14 (default 5). */
  readonly grid?: number;
  /** Adam steps of the registration (default 150). */
  readonly iterations?: number;
  /** Adam's learning rate, in pixels (default 0.1). */
  readonly learningRate?: number;
  /** Weight of the mean squared control point move (pixels²) beside the mean squared pixel difference (default 0.002): larger keeps the lattices smaller. */
  readonly penalty?: number;
  /** Standard deviation in pixels of the Gaussian blur both images get before registering, which widens the pull of a stroke (default 1; 0: none). */
  readonly blur?: number;
  /** Which pairs are registered (default 0). */
  readonly seed?: Seed;
}

/**
 * Registers random pairs of same-class images of `data` (one-channel, class
 * targets) onto each other: for each pair, a lattice of control point moves
 * that warps the first image as close to the second as it can (mean squared
 * difference of the blurred images, plus `penalty` times the mean squared
 * move), by Adam through `affineWarpTensor` and `elasticDisplacement` on the
 * current backend (tfjs gradients must be registered: import
 * `@tensorflow/tfjs-layers` or `@tensorflow/tfjs`). Every class needs two
 * images or more. Runs synchronously; no tensor is left behind.
 * @example
 * ```ts
 * const [shapes] = await generate(digits, { seed: 1, batchSize: 4000 }).take(1).toArray();
 * const deformations = learnDeformations(shapes, { seed: 1 });
 * const task = exemplarTask(pickExemplars(trainSet, { seed: 1 }), { deformations });
 * const stream = generate(task, { seed: 1, params: { deformation: [0, 2] } });
 * ```
 */
export function learnDeformations(data: ArrayDataset, options: LearnDeformationsOptions = {}): Deformations {
  datasetCount(data, 'learnDeformations(data)');
  const shape = data.sampleShape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== 1) throw new OtfgenArgumentError('learnDeformations(data).sampleShape', `expected [height, width, 1], got ${describe(shape)}`);
  if (data.target?.kind !== 'class') throw new OtfgenArgumentError('learnDeformations(data).target', `expected class targets, got ${describe(data.target?.kind)}`);
  const [h, w] = shape;
  const classes = data.target.classes;
  const pairs = checkInt('learnDeformations options.pairsPerClass', options.pairsPerClass ?? 100, 1);
  const grid = checkInt('learnDeformations options.grid', options.grid ?? 5, 2, 14);
  const iterations = checkInt('learnDeformations options.iterations', options.iterations ?? 150, 1);
  const learningRate = checkPositive('learnDeformations options.learningRate', options.learningRate ?? 0.1);
  const penalty = checkNumber('learnDeformations options.penalty', options.penalty ?? 0.002, 0);
  const blur = checkNumber('learnDeformations options.blur', options.blur ?? 1, 0, 10);
  const rng = new Rng(checkSeed('learnDeformations options.seed', options.seed ?? 0));
  checkGradients('learnDeformations');
  const n = h * w;
  const byLabel = indicesByClass(data.y, classes, 'learnDeformations(data).y');
  byLabel.forEach((list, c) => {
    if (list.length < 2) throw new OtfgenArgumentError('learnDeformations(data)', `class ${c} has ${list.length} image(s); registering pairs needs 2 or more of every class`);
  });
  const scale = data.x instanceof Uint8Array ? 1 / 255 : 1;
  const kernel = blur > 0 ? gaussianKernel(blur) : null;
  const byClass: Float32Array[] = [];
  const fit: { before: number; after: number }[] = [];
  try {
    for (let c = 0; c < classes; c++) {
      const list = byLabel[c];
      const from = new Float32Array(pairs * n), to = new Float32Array(pairs * n);
      for (let k = 0; k < pairs; k++) {
        const a = rng.int(list.length);
        const b = (a + 1 + rng.int(list.length - 1)) % list.length; // any other image of the class
        for (let t = 0; t < n; t++) (from[k * n + t] = data.x[list[a] * n + t] * scale), (to[k * n + t] = data.x[list[b] * n + t] * scale);
      }
      const r = register(from, to, pairs, h, w, { grid, iterations, learningRate, penalty, kernel });
      byClass.push(r.lattices);
      fit.push({ before: r.before, after: r.after });
    }
  } finally {
    kernel?.dispose();
  }
  return { grid, height: h, width: w, byClass, fit };
}

/** A normalised Gaussian blur kernel [size, size, 1, 1] of standard deviation `sigma` pixels, out to 2 sigma. */
function gaussianKernel(sigma: number): tf.Tensor4D {
  const r = Math.max(1, Math.ceil(2 * sigma)), size = 2 * r + 1;
  const k = new Float32Array(size * size);
  let sum = 0;
  for (let y = -r; y <= r; y++) for (let x = -r; x <= r; x++) sum += k[(y + r) * size + x + r] = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
  return tf.tensor4d(k.map((v) => v / sum), [size, size, 1, 1]);
}

/** Registers `from[k]` onto `to[k]` for each of `m` pairs at once. */
function register(
  from: Float32Array,
  to: Float32Array,
  m: number,
  h: number,
  w: number,
  o: { grid: number; iterations: number; learningRate: number; penalty: number; kernel: tf.Tensor4D | null },
): { lattices: Float32Array; before: number; after: number } {
  const prepare = (x: Float32Array) => tf.tidy(() => (o.kernel ? tf.conv2d(tf.tensor4d(x, [m, h, w, 1]), o.kernel, 1, 'same') : tf.tensor4d(x, [m, h, w, 1])));
  const a = prepare(from), b = prepare(to);
  const identity = tf.tidy(() => tf.tile(tf.tensor2d([[0, 1, 0, 0, 0]]), [m, 1]) as tf.Tensor2D);
  const zeros = tf.zeros([m, o.grid, o.grid, 2]);
  const control = tf.variable(zeros, true);
  zeros.dispose(); // the variable holds its own reference to the values
  const optimizer = tf.train.adam(o.learningRate);
  const difference = () => tf.mean(tf.square(tf.sub(affineWarpTensor(a, identity, { displacement: elasticDisplacement(control as tf.Tensor as tf.Tensor4D, h, w) }), b)));
  try {
    const before = tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))).dataSync()[0]);
    for (let i = 0; i < o.iterations; i++) {
      optimizer.minimize(() => tf.add(difference(), tf.mul(o.penalty, tf.mean(tf.square(control)))) as tf.Scalar, false, [control]);
    }
    const after = tf.tidy(() => difference().dataSync()[0]);
    return { lattices: Float32Array.from(control.dataSync()), before, after };
  } finally {
    optimizer.dispose();
    tf.dispose([a, b, identity, control]);
  }
}
