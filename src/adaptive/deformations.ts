/**
 * learnDeformations: smooth deformations learnt per class by registering pairs
 * of images of the class onto each other, to apply to other images of the
 * class (as in Hauberg et al., "Dreaming more data: class-dependent
 * distributions over diffeomorphisms for learned data augmentation", 2016).
 * The pairs can come from a procedural task: what it learns is how shapes of a
 * class vary, as displacement fields, which `exemplarTask` then applies to a
 * few real images (its `deformation` parameter).
 *
 * learnExemplarDeformations: the same registration, from each of a few real
 * exemplars onto images of its class (procedural ones, say): lattices that
 * move that exemplar towards each of those shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, OtfgenArgumentError, checkInt, checkNumber, checkPositive, describe } from '../core/errors.js';
import { checkGradients } from './gradients.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { datasetCount, indicesByClass, type ArrayDataset } from '../sources/arrays.js';
import { affineWarpTensor, elasticDisplacement } from './warp.js';
import type { Deformations, ExemplarDeformations, Exemplars } from '../tasks/exemplars.js';

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

/** Options of {@link learnExemplarDeformations}: those of {@link learnDeformations} but the pair count. */
export interface LearnExemplarDeformationsOptions extends Omit<LearnDeformationsOptions, 'pairsPerClass' | 'seed'> {
  /** Images of its class each exemplar is registered onto, picked at random without repeats, each a lattice of the result (default 100; all of the class's if it has fewer). */
  readonly perExemplar?: number;
  /** Which images are picked (default 0). */
  readonly seed?: Seed;
}

/** The registration settings both learners share, checked under `name`'s options. */
function registrationOptions(name: string, options: Omit<LearnDeformationsOptions, 'pairsPerClass'>): { settings: RegistrationSettings; rng: Rng } {
  const settings = {
    grid: checkInt(`${name} options.grid`, options.grid ?? 5, 2, 14),
    iterations: checkInt(`${name} options.iterations`, options.iterations ?? 150, 1),
    learningRate: checkPositive(`${name} options.learningRate`, options.learningRate ?? 0.1),
    penalty: checkNumber(`${name} options.penalty`, options.penalty ?? 0.002, 0),
    blur: checkNumber(`${name} options.blur`, options.blur ?? 1, 0, 10),
  };
  return { settings, rng: new Rng(checkSeed(`${name} options.seed`, options.seed ?? 0)) };
}

/** How pairs are registered: the checked options both learners share. */
interface RegistrationSettings {
  readonly grid: number;
  readonly iterations: number;
  readonly learningRate: number;
  readonly penalty: number;
  readonly blur: number;
}

/**
 * Registers `groups` groups of pairs one after another (`pairsOf(g)` makes
 * group g's: `m` images to warp, `from`, and as many to warp them onto, `to`),
 * with one blur kernel for all, disposed whatever happens.
 */
function registerGroups(
  groups: number,
  pairsOf: (g: number) => { from: Float32Array; to: Float32Array; m: number },
  h: number,
  w: number,
  settings: RegistrationSettings,
): { lattices: Float32Array[]; fit: { before: number; after: number }[] } {
  const kernel = settings.blur > 0 ? gaussianKernel(settings.blur) : null;
  const lattices: Float32Array[] = [];
  const fit: { before: number; after: number }[] = [];
  try {
    for (let g = 0; g < groups; g++) {
      const { from, to, m } = pairsOf(g);
      const r = register(from, to, m, h, w, { ...settings, kernel });
      lattices.push(r.lattices);
      fit.push({ before: r.before, after: r.after });
    }
  } finally {
    kernel?.dispose();
  }
  return { lattices, fit };
}

/** [height, width] of one-channel images with class targets, else a typed error naming `argument`. */
function imageShape(data: ArrayDataset, argument: string): [number, number] {
  datasetCount(data, argument);
  const shape = data.sampleShape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== 1)
    throw new OtfgenArgumentError(`${argument}.sampleShape`, `expected [height, width, 1], got ${describe(shape)}`);
  if (data.target?.kind !== 'class') throw new OtfgenArgumentError(`${argument}.target`, `expected class targets, got ${describe(data.target?.kind)}`);
  return [shape[0], shape[1]];
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
  checkKeys('learnDeformations options', options, ['pairsPerClass', 'grid', 'iterations', 'learningRate', 'penalty', 'blur', 'seed']);
  const [h, w] = imageShape(data, 'learnDeformations(data)');
  const classes = (data.target as { classes: number }).classes;
  const pairs = checkInt('learnDeformations options.pairsPerClass', options.pairsPerClass ?? 100, 1);
  const { settings, rng } = registrationOptions('learnDeformations', options);
  checkGradients('learnDeformations');
  const n = h * w;
  const byLabel = indicesByClass(data.y, classes, 'learnDeformations(data).y');
  byLabel.forEach((list, c) => {
    if (list.length < 2)
      throw new OtfgenArgumentError('learnDeformations(data)', `class ${c} has ${list.length} image(s); registering pairs needs 2 or more of every class`);
  });
  const scale = data.x instanceof Uint8Array ? 1 / 255 : 1;
  const { lattices, fit } = registerGroups(
    classes,
    (c) => {
      const list = byLabel[c];
      const from = new Float32Array(pairs * n),
        to = new Float32Array(pairs * n);
      for (let k = 0; k < pairs; k++) {
        const a = rng.int(list.length);
        const b = (a + 1 + rng.int(list.length - 1)) % list.length; // any other image of the class
        for (let t = 0; t < n; t++) {
          from[k * n + t] = data.x[list[a] * n + t] * scale;
          to[k * n + t] = data.x[list[b] * n + t] * scale;
        }
      }
      return { from, to, m: pairs };
    },
    h,
    w,
    settings,
  );
  return { grid: settings.grid, height: h, width: w, byClass: lattices, fit };
}

/**
 * Registers each exemplar onto up to `perExemplar` images of its class in
 * `data` (one-channel, class targets, the exemplars' size), picked at random:
 * for each, a lattice of control point moves that warps the exemplar as close
 * to that image as it can (the registration of {@link learnDeformations}).
 * The result, given to `exemplarTask(exemplars, { deformations })`, lets its
 * `deformation` parameter move each exemplar towards the shapes of its class
 * in `data` (factor 1: all the way the registration went). Runs
 * synchronously (tfjs gradients must be registered); no tensor is left behind.
 * @example
 * ```ts
 * const exemplars = pickExemplars(trainSet, { seed: 1 });
 * const shapes = renderBatch(digits, { seed: 1, index: 0, batchSize: 3000 });
 * const deformations = learnExemplarDeformations(exemplars, shapes, { seed: 1 });
 * const stream = generate(exemplarTask(exemplars, { deformations }), { seed: 1, params: { deformation: [0, 1.5] } });
 * ```
 */
export function learnExemplarDeformations(exemplars: Exemplars, data: ArrayDataset, options: LearnExemplarDeformationsOptions = {}): ExemplarDeformations {
  checkKeys('learnExemplarDeformations options', options, ['perExemplar', 'seed', 'grid', 'iterations', 'learningRate', 'penalty', 'blur']);
  const name = 'learnExemplarDeformations';
  const [h, w] = imageShape(exemplars, `${name}(exemplars)`);
  const [dh, dw] = imageShape(data, `${name}(data)`);
  if (dh !== h || dw !== w) throw new OtfgenArgumentError(`${name}(data).sampleShape`, `expected the exemplars' [${h}, ${w}, 1], got [${dh}, ${dw}, 1]`);
  const classes = exemplars.target.classes;
  const dataClasses = (data.target as { classes: number }).classes;
  if (dataClasses !== classes)
    throw new OtfgenArgumentError(`${name}(data).target`, `expected the exemplars' ${classes} classes, got ${describe(dataClasses)}`);
  const perExemplar = checkInt(`${name} options.perExemplar`, options.perExemplar ?? 100, 1);
  const { settings, rng } = registrationOptions(name, options);
  const exemplarClasses = indicesByClass(exemplars.y, classes, `${name}(exemplars).y`);
  const byLabel = indicesByClass(data.y, classes, `${name}(data).y`);
  exemplarClasses.forEach((list, c) => {
    if (list.length > 0 && byLabel[c].length === 0) throw new OtfgenArgumentError(`${name}(data)`, `has no image of class ${c} to register its exemplar onto`);
  });
  checkGradients(name);
  const n = h * w;
  const scale = data.x instanceof Uint8Array ? 1 / 255 : 1;
  const { lattices, fit } = registerGroups(
    exemplars.y.length,
    (e) => {
      const pool = byLabel[exemplars.y[e]].slice();
      const m = Math.min(perExemplar, pool.length);
      const from = new Float32Array(m * n),
        to = new Float32Array(m * n);
      for (let k = 0; k < m; k++) {
        const j = k + rng.int(pool.length - k); // a partial shuffle: m images without repeats
        [pool[k], pool[j]] = [pool[j], pool[k]];
        from.set(exemplars.x.subarray(e * n, (e + 1) * n), k * n);
        for (let t = 0; t < n; t++) to[k * n + t] = data.x[pool[k] * n + t] * scale;
      }
      return { from, to, m };
    },
    h,
    w,
    settings,
  );
  return { grid: settings.grid, height: h, width: w, byExemplar: lattices, fit };
}

/** A normalised Gaussian blur kernel [size, size, 1, 1] of standard deviation `sigma` pixels, out to 2 sigma. */
function gaussianKernel(sigma: number): tf.Tensor4D {
  const r = Math.max(1, Math.ceil(2 * sigma)),
    size = 2 * r + 1;
  const k = new Float32Array(size * size);
  let sum = 0;
  for (let y = -r; y <= r; y++) for (let x = -r; x <= r; x++) sum += k[(y + r) * size + x + r] = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
  return tf.tensor4d(
    k.map((v) => v / sum),
    [size, size, 1, 1],
  );
}

/** Registers `from[k]` onto `to[k]` for each of `m` pairs at once. */
function register(
  from: Float32Array,
  to: Float32Array,
  m: number,
  h: number,
  w: number,
  o: RegistrationSettings & { kernel: tf.Tensor4D | null },
): { lattices: Float32Array; before: number; after: number } {
  const prepare = (x: Float32Array) => tf.tidy(() => (o.kernel ? tf.conv2d(tf.tensor4d(x, [m, h, w, 1]), o.kernel, 1, 'same') : tf.tensor4d(x, [m, h, w, 1])));
  const a = prepare(from),
    b = prepare(to);
  const identity = tf.tidy(() => tf.tile(tf.tensor2d([[0, 1, 0, 0, 0]]), [m, 1]) as tf.Tensor2D);
  const zeros = tf.zeros([m, o.grid, o.grid, 2]);
  const control = tf.variable(zeros, true);
  zeros.dispose(); // the variable holds its own reference to the values
  const optimizer = tf.train.adam(o.learningRate);
  const difference = () =>
    tf.mean(tf.square(tf.sub(affineWarpTensor(a, identity, { displacement: elasticDisplacement(control as tf.Tensor as tf.Tensor4D, h, w) }), b)));
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
