import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OtfgenArgumentError,
  Rng,
  affineWarp,
  exemplarTask,
  generate,
  pickExemplars,
  type Deformations,
  type ExemplarDeformations,
  type Exemplars,
} from '../src/index.js';
import { latticeField } from '../src/image/affine.js';
import { learnDeformations, learnExemplarDeformations } from '../src/adaptive/deformations.js';
import { registerWasmTrainingKernels } from '../src/index.js';
import { generateInWorkers } from '../src/node/index.js';

beforeAll(() => registerWasmTrainingKernels());

const H = 14,
  W = 12,
  N = H * W;
const CLASSES = { kind: 'class', classes: 2 } as const;
const still = { rotation: 0, scale: 1, shear: 0, shift: 0 } as const;

/** An image of a few Gaussian blobs away from the border. */
function blobs(rng: Rng): Float32Array {
  const out = new Float32Array(N);
  for (let b = 0; b < 3; b++) {
    const cy = 4 + rng.next() * (H - 8),
      cx = 4 + rng.next() * (W - 8),
      r = 1 + rng.next();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) out[y * W + x] = Math.min(1, out[y * W + x] + Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r)));
  }
  return out;
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;

/** `img` warped by lattice `k` of `lattices` (no affine part), times `scale`. */
function deform(img: Float32Array, d: { grid: number }, lattices: Float32Array, k: number, scale = 1): Float32Array {
  const field = { dx: new Float32Array(N), dy: new Float32Array(N) };
  latticeField(lattices, k * 2 * d.grid * d.grid, 'pairs', d.grid, H, W, scale, field);
  const out = new Float32Array(N);
  affineWarp(img, 0, H, W, { rotation: 0, scale: 1, shear: 0, shiftX: 0, shiftY: 0 }, out, 0, field);
  return out;
}

/**
 * Two classes of two images each, the second of each pair its first moved by
 * a smooth field (a shift and a bend), so a lattice can register one onto the other.
 */
function pairsData() {
  const rng = new Rng(5);
  const x = new Float32Array(4 * N);
  const bend = { dx: new Float32Array(N), dy: new Float32Array(N) };
  for (let y = 0; y < H; y++)
    for (let c = 0; c < W; c++) {
      bend.dx[y * W + c] = 1.2 + (0.6 * y) / H;
      bend.dy[y * W + c] = -0.8;
    }
  for (let c = 0; c < 2; c++) {
    const first = blobs(rng);
    x.set(first, 2 * c * N);
    affineWarp(first, 0, H, W, { rotation: 0, scale: 1, shear: 0, shiftX: 0, shiftY: 0 }, x, (2 * c + 1) * N, bend);
  }
  return { x, y: new Int32Array([0, 0, 1, 1]), sampleShape: [H, W, 1], target: CLASSES };
}

describe('learnDeformations', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`registers pairs of a class onto each other, is seeded, and leaves no tensor (${backend})`, async () => {
      await tf.setBackend(backend);
      const data = pairsData();
      const before = tf.memory().numTensors;
      const d = learnDeformations(data, { pairsPerClass: 4, grid: 4, iterations: 120, blur: 0.5, seed: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(d.grid).toBe(4);
      expect([d.height, d.width]).toEqual([H, W]);
      expect(d.byClass.map((l) => l.length)).toEqual([4 * 32, 4 * 32]);
      for (let c = 0; c < 2; c++) {
        // The registration takes away most of the blurred difference...
        expect(d.fit[c].after).toBeLessThan(0.3 * d.fit[c].before);
        // ...and each lattice, applied to one image of the pair, brings it close to the other (one way or the other).
        const a = data.x.subarray(2 * c * N, (2 * c + 1) * N),
          b = data.x.subarray((2 * c + 1) * N, (2 * c + 2) * N);
        for (let k = 0; k < 4; k++) {
          const best = Math.min(mse(deform(a, d, d.byClass[c], k), b), mse(deform(b, d, d.byClass[c], k), a));
          expect(best, `class ${c} lattice ${k}`).toBeLessThan(0.35 * mse(a, b));
        }
      }
      const again = learnDeformations(data, { pairsPerClass: 4, grid: 4, iterations: 120, blur: 0.5, seed: 2 });
      expect(again.byClass).toEqual(d.byClass);
    }, 60_000);
  }

  it('refuses what it cannot register, naming the argument', async () => {
    await tf.setBackend('cpu');
    const data = pairsData();
    const before = tf.memory().numTensors;
    const refuse = (d: unknown, options: object, message: RegExp) => {
      expect(() => learnDeformations(d as never, options)).toThrow(OtfgenArgumentError);
      expect(() => learnDeformations(d as never, options)).toThrow(message);
    };
    refuse({ ...data, y: new Int32Array([0, 0, 0, 1]) }, {}, /^learnDeformations\(data\): class 1 has 1 image\(s\); registering pairs needs 2 or more/);
    refuse({ ...data, y: new Int32Array([0, 0, 2, 1]) }, {}, /^learnDeformations\(data\)\.y\[2\]: expected a class id in 0\.\.1, got 2/);
    refuse({ ...data, sampleShape: [H, W / 2, 2] }, {}, /learnDeformations\(data\)\.sampleShape: expected \[height, width, 1\]/);
    refuse({ ...data, target: { kind: 'regression', size: 1 } }, {}, /learnDeformations\(data\)\.target: expected class targets/);
    refuse(data, { grid: 1 }, /options\.grid: expected an integer in \[2, 14\]/);
    refuse(data, { pairsPerClass: 0 }, /options\.pairsPerClass/);
    refuse(data, { learningRate: 0 }, /options\.learningRate/);
    refuse(data, { penalty: -1 }, /options\.penalty/);
    refuse(data, { blur: Number.NaN }, /options\.blur/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * Two classes: exemplar c (blobs) and four images of its class, each the
 * exemplar moved by its own smooth field (a shift and a bend), so a lattice
 * can register the exemplar onto each.
 */
function exemplarsAndShapes() {
  const rng = new Rng(6);
  const ex = new Float32Array(2 * N),
    x = new Float32Array(8 * N);
  const bend = { dx: new Float32Array(N), dy: new Float32Array(N) };
  for (let c = 0; c < 2; c++) {
    const first = blobs(rng);
    ex.set(first, c * N);
    for (let k = 0; k < 4; k++) {
      const sx = 2 * rng.next() - 1,
        sy = 2 * rng.next() - 1,
        b = 1.2 * (2 * rng.next() - 1);
      for (let y = 0; y < H; y++)
        for (let col = 0; col < W; col++) {
          bend.dx[y * W + col] = sx + (b * y) / H;
          bend.dy[y * W + col] = sy;
        }
      affineWarp(first, 0, H, W, { rotation: 0, scale: 1, shear: 0, shiftX: 0, shiftY: 0 }, x, (4 * c + k) * N, bend);
    }
  }
  const exemplars: Exemplars = { x: ex, y: new Int32Array([0, 1]), sampleShape: [H, W, 1], target: CLASSES };
  return { exemplars, data: { x, y: new Int32Array([0, 0, 0, 0, 1, 1, 1, 1]), sampleShape: [H, W, 1], target: CLASSES } };
}

describe('learnExemplarDeformations', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`registers each exemplar onto images of its class, is seeded, and leaves no tensor (${backend})`, async () => {
      await tf.setBackend(backend);
      const { exemplars, data } = exemplarsAndShapes();
      const options = { perExemplar: 3, grid: 4, iterations: 120, blur: 0.5, seed: 2 };
      const before = tf.memory().numTensors;
      const d = learnExemplarDeformations(exemplars, data, options);
      expect(tf.memory().numTensors).toBe(before);
      expect([d.grid, d.height, d.width]).toEqual([4, H, W]);
      expect(d.byExemplar.map((l) => l.length)).toEqual([3 * 32, 3 * 32]);
      for (let e = 0; e < 2; e++) {
        expect(d.fit[e].after).toBeLessThan(0.3 * d.fit[e].before);
        const src = exemplars.x.subarray(e * N, (e + 1) * N);
        const own = [0, 1, 2, 3].map((k) => data.x.subarray((4 * e + k) * N, (4 * e + k + 1) * N));
        const matched = new Set<number>();
        for (let k = 0; k < 3; k++) {
          // Each lattice moves the exemplar close to one image of its class, three different ones (no repeats).
          const moved = deform(src, d, d.byExemplar[e], k);
          const errors = own.map((img) => mse(moved, img) / mse(src, img));
          const best = errors.indexOf(Math.min(...errors));
          expect(errors[best], `exemplar ${e} lattice ${k}`).toBeLessThan(0.35);
          matched.add(best);
        }
        expect(matched.size).toBe(3);
      }
      expect(learnExemplarDeformations(exemplars, data, options).byExemplar).toEqual(d.byExemplar);
      expect(learnExemplarDeformations(exemplars, data, { ...options, seed: 3 }).byExemplar).not.toEqual(d.byExemplar);
      // Asked for more images than a class has: each of them, once.
      expect(learnExemplarDeformations(exemplars, data, { ...options, perExemplar: 9, iterations: 1 }).byExemplar.map((l) => l.length)).toEqual([
        4 * 32,
        4 * 32,
      ]);
    }, 60_000);
  }

  it('refuses what it cannot register, naming the argument', async () => {
    await tf.setBackend('cpu');
    const { exemplars, data } = exemplarsAndShapes();
    const before = tf.memory().numTensors;
    const refuse = (ex: unknown, d: unknown, options: object, message: RegExp) => {
      expect(() => learnExemplarDeformations(ex as never, d as never, options)).toThrow(OtfgenArgumentError);
      expect(() => learnExemplarDeformations(ex as never, d as never, options)).toThrow(message);
    };
    refuse(exemplars, { ...data, y: new Int32Array(8) }, {}, /^learnExemplarDeformations\(data\): has no image of class 1 to register its exemplar onto/);
    refuse(
      exemplars,
      { ...data, y: new Int32Array([0, 0, 0, 0, 1, 1, 1, 3]) },
      {},
      /^learnExemplarDeformations\(data\)\.y\[7\]: expected a class id in 0\.\.1, got 3/,
    );
    refuse({ ...exemplars, y: new Int32Array([0, 2]) }, data, {}, /^learnExemplarDeformations\(exemplars\)\.y\[1\]/);
    refuse(
      exemplars,
      { ...data, x: data.x.subarray(0, 8 * 12 * 12), sampleShape: [12, 12, 1] },
      {},
      /^learnExemplarDeformations\(data\)\.sampleShape: expected the exemplars' \[14, 12, 1\], got \[12, 12, 1\]/,
    );
    refuse(
      exemplars,
      { ...data, target: { kind: 'class', classes: 3 } },
      {},
      /^learnExemplarDeformations\(data\)\.target: expected the exemplars' 2 classes, got 3/,
    );
    refuse(exemplars, { ...data, target: { kind: 'regression', size: 1 } }, {}, /learnExemplarDeformations\(data\)\.target: expected class targets/);
    refuse({ ...exemplars, sampleShape: [H, W / 2, 2] }, data, {}, /learnExemplarDeformations\(exemplars\)\.sampleShape: expected \[height, width, 1\]/);
    refuse(exemplars, data, { perExemplar: 0 }, /learnExemplarDeformations options\.perExemplar/);
    refuse(exemplars, data, { grid: 15 }, /learnExemplarDeformations options\.grid: expected an integer in \[2, 14\]/);
    refuse(exemplars, data, { blur: -1 }, /learnExemplarDeformations options\.blur/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("exemplarTask's deformation", () => {
  const exemplars = (): Exemplars => {
    const rng = new Rng(9);
    const x = new Float32Array(2 * N);
    x.set(blobs(rng), 0);
    x.set(blobs(rng), N);
    return { x, y: new Int32Array([0, 1]), sampleShape: [H, W, 1], target: CLASSES };
  };
  /** Two classes' lattices (3x3), made up: a few random smooth moves each. */
  const made = (): Deformations => {
    const rng = new Rng(3);
    const lattices = () => Float32Array.from({ length: 3 * 18 }, () => 2 * rng.next() - 1);
    return { grid: 3, height: H, width: W, byClass: [lattices(), lattices()], fit: [] };
  };

  it("applies one of the sample's class's lattices, times the drawn factor, the same bytes with workers", async () => {
    const ex = exemplars(),
      d = made();
    const task = exemplarTask(ex, { deformations: d });
    const [plain] = await generate(task, { seed: 1, batchSize: 16, params: still }).take(1).toArray();
    const [moved] = await generate(task, { seed: 1, batchSize: 16, params: { ...still, deformation: 1.5 } })
      .take(1)
      .toArray();
    let changed = 0;
    for (let i = 0; i < 16; i++) {
      const c = moved.y[i],
        got = moved.x.subarray(i * N, (i + 1) * N),
        src = ex.x.subarray(c * N, (c + 1) * N);
      const p = plain.y[i];
      expect(mse(plain.x.subarray(i * N, (i + 1) * N), ex.x.subarray(p * N, (p + 1) * N))).toBeLessThan(1e-12);
      const match = [0, 1, 2].some((k) => mse(deform(src, d, d.byClass[c], k, 1.5), got) < 1e-10);
      expect(match, `sample ${i}`).toBe(true);
      if (mse(got, src) > 1e-4) changed++;
    }
    expect(changed).toBe(16);
    const params = { ...still, deformation: [0, 2], elastic: 1, thickness: [-1, 1] } as const;
    const inProcess = await generate(task, { seed: 4, batchSize: 16, params, batches: 6 }).toArray();
    const inWorkers = await generateInWorkers(task, { seed: 4, batchSize: 16, params, batches: 6, workers: 2 }).toArray();
    expect(inWorkers.map((b) => b.x)).toEqual(inProcess.map((b) => b.x));
  }, 60_000);

  it("with deformations by exemplar, applies one of the sample's exemplar's lattices, the same bytes with workers", async () => {
    // Two exemplars of each class, each with its own made-up lattices.
    const rng = new Rng(4);
    const x = new Float32Array(4 * N);
    for (let e = 0; e < 4; e++) x.set(blobs(rng), e * N);
    const ex: Exemplars = { x, y: new Int32Array([0, 0, 1, 1]), sampleShape: [H, W, 1], target: CLASSES };
    const d: ExemplarDeformations = {
      grid: 3,
      height: H,
      width: W,
      fit: [],
      byExemplar: [0, 1, 2, 3].map(() => Float32Array.from({ length: 2 * 18 }, () => 3 * rng.next() - 1.5)),
    };
    const task = exemplarTask(ex, { deformations: d });
    expect(task.params.deformation.description).toMatch(/deformation of the exemplar/);
    const [moved] = await generate(task, { seed: 1, batchSize: 24, params: { ...still, deformation: 1.2 } })
      .take(1)
      .toArray();
    const used = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const got = moved.x.subarray(i * N, (i + 1) * N);
      const from = [0, 1, 2, 3].filter(
        (e) => ex.y[e] === moved.y[i] && [0, 1].some((k) => mse(deform(ex.x.subarray(e * N, (e + 1) * N), d, d.byExemplar[e], k, 1.2), got) < 1e-10),
      );
      expect(from, `sample ${i}`).toHaveLength(1);
      used.add(from[0]);
    }
    expect(used.size).toBe(4);
    const params = { ...still, deformation: [0, 2], thickness: [-1, 1] } as const;
    const inProcess = await generate(task, { seed: 4, batchSize: 16, params, batches: 4 }).toArray();
    const inWorkers = await generateInWorkers(task, { seed: 4, batchSize: 16, params, batches: 4, workers: 2 }).toArray();
    expect(inWorkers.map((b) => b.x)).toEqual(inProcess.map((b) => b.x));
    expect(() => exemplarTask(ex, { deformations: { ...d, byExemplar: d.byExemplar.slice(1) } })).toThrow(
      /^exemplarTask options\.deformations: has 3 exemplars; the task has 4/,
    );
    expect(() => exemplarTask(ex, { deformations: { ...d, byExemplar: [...d.byExemplar.slice(1), [1, 2]] as never } })).toThrow(
      /options\.deformations\.byExemplar\[3\]: expected a Float32Array of one or more lattices of 18 numbers/,
    );
  }, 60_000);

  it('is refused without deformations, or with ones that do not fit the exemplars', () => {
    const ex = exemplars(),
      d = made();
    expect(() => generate(exemplarTask(ex), { params: { deformation: 1 } })).toThrow(
      /params\.deformation: expected a number or a \[lo, hi\] range within \[0, 0\]/,
    );
    const refuse = (bad: unknown, message: RegExp) => expect(() => exemplarTask(ex, { deformations: bad as Deformations })).toThrow(message);
    refuse({ ...d, height: 28 }, /^exemplarTask options\.deformations: learnt on 28x12 images; the exemplars are 14x12/);
    refuse({ ...d, byClass: [d.byClass[0]] }, /has 1 classes; the exemplars have 2/);
    refuse(
      { ...d, byClass: [d.byClass[0], new Float32Array(5)] },
      /options\.deformations\.byClass\[1\]: expected a Float32Array of one or more lattices of 18 numbers/,
    );
    refuse(null, /expected what learnDeformations or learnExemplarDeformations returns/);
    expect(() => exemplarTask({ ...ex, y: new Int32Array([0, -1]) })).toThrow(/^exemplarTask\(exemplars\)\.y\[1\]: expected a class id in 0\.\.1, got -1/);
    expect(() => pickExemplars({ ...ex, y: new Float32Array([1, 0.5]) })).toThrow(/^pickExemplars\(data\)\.y\[1\]: expected a class id in 0\.\.1, got 0\.5/);
    expect(() => exemplarTask(ex, { elasticGrid: 1 })).toThrow(/exemplarTask options\.elasticGrid: expected an integer in \[2, 14\]/);
  });
});

describe('the exemplars-deformed, exemplars-registered and exemplars-thick-elastic one-shot methods', () => {
  it('learn deformations from procedural digits once per seed and params (which the digits take), add them to random warps, and leak no tensor', async () => {
    const { selectBackend, mnist } = await import('../src/node/index.js');
    const { SOURCES, digitDeformations, exemplarDeformations } = await import('../benchmarks/study/sources.js');
    const { heldOutOf } = await import('../src/harness/warmup-source.js');
    const { createModel } = await import('../src/harness/index.js');
    await selectBackend({ backend: 'wasm' });
    const trainSet = await mnist({ split: 'train' });
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1 });
    const ctx = { seed: 1, batchSize: 32, train: trainSet, model, heldOut: heldOutOf(trainSet), batches: 4 };
    const first = async (name: string, more: object = {}) =>
      (
        await SOURCES[name]
          .make({ ...ctx, ...more })
          .stream.take(1)
          .toArray()
      )[0];
    const deformed = await first('exemplars-deformed');
    // The same seed and params: the deformations learnt are kept, not learnt again, and give the same batch.
    const learnt = digitDeformations(ctx);
    expect((await first('exemplars-deformed')).x).toEqual(deformed.x);
    expect(digitDeformations({ ...ctx })).toBe(learnt);
    // The random control draws other moves, of the sizes learnt for the seed (the same deformations: not learnt again).
    expect((await first('exemplars-deformed-random')).x).not.toEqual(deformed.x);
    expect(digitDeformations(ctx)).toBe(learnt);
    // The random warps alone (exemplars-thick) differ; with other digit params, other deformations.
    expect(deformed.x).not.toEqual((await first('exemplars-thick')).x);
    expect((await first('exemplars-deformed', { params: { slant: 30 } })).x).not.toEqual(deformed.x);
    expect(digitDeformations({ ...ctx, params: { slant: 30 } })).not.toBe(learnt);
    const elastic = await first('exemplars-thick-elastic');
    expect(elastic.x).not.toEqual((await first('exemplars-thick-x1.25')).x);
    // exemplars-registered: deformations learnt for the seed's exemplars, once, one list per exemplar; its random control differs.
    const registered = await first('exemplars-registered');
    const byExemplar = exemplarDeformations(ctx);
    expect(byExemplar.byExemplar).toHaveLength(10);
    expect(byExemplar.byExemplar.every((l) => l.length === 100 * 50)).toBe(true);
    expect(byExemplar.fit.every((f) => f.after < 0.5 * f.before)).toBe(true);
    expect((await first('exemplars-registered')).x).toEqual(registered.x);
    expect(exemplarDeformations({ ...ctx })).toBe(byExemplar);
    expect((await first('exemplars-registered-random')).x).not.toEqual(registered.x);
    expect(registered.x).not.toEqual(deformed.x);
    expect(exemplarDeformations(ctx)).toBe(byExemplar);
    // Learnt per training set the exemplars come from: another set object is not served the first set's (a copy: the same lattices, learnt again).
    const copy = { ...trainSet, x: trainSet.x.slice() };
    const again = exemplarDeformations({ ...ctx, train: copy });
    expect(again).not.toBe(byExemplar);
    expect(again.byExemplar).toEqual(byExemplar.byExemplar);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 400_000);
});

describe('randomLattices (the control of exemplars-deformed-random and exemplars-registered-random)', () => {
  it('draws as many lattices per class as were learnt, Gaussian, of the same root mean square, by seed', async () => {
    const { randomLattices } = await import('../benchmarks/study/sources.js');
    const rng = new Rng(1);
    const learnt: Deformations = {
      grid: 4,
      height: H,
      width: W,
      fit: [],
      byClass: [
        Float32Array.from({ length: 32 * 200 }, () => 0.5 * (2 * rng.next() - 1)),
        Float32Array.from({ length: 32 * 100 }, () => 3 * (2 * rng.next() - 1)),
      ],
    };
    const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    const r = randomLattices(learnt, 7);
    expect(r.byClass.map((l) => l.length)).toEqual([32 * 200, 32 * 100]);
    expect([r.grid, r.height, r.width]).toEqual([4, H, W]);
    for (let c = 0; c < 2; c++) {
      expect(r.byClass[c]).not.toEqual(learnt.byClass[c]);
      expect(rms(r.byClass[c]) / rms(learnt.byClass[c])).toBeGreaterThan(0.95);
      expect(rms(r.byClass[c]) / rms(learnt.byClass[c])).toBeLessThan(1.05);
      // Gaussian, not uniform: about 4.6% of draws lie beyond two root mean squares (a uniform's share is 0).
      const beyond = r.byClass[c].filter((v) => Math.abs(v) > 2 * rms(learnt.byClass[c])).length / r.byClass[c].length;
      expect(beyond).toBeGreaterThan(0.03);
    }
    expect(randomLattices(learnt, 7).byClass).toEqual(r.byClass);
    expect(randomLattices(learnt, 8).byClass[0]).not.toEqual(r.byClass[0]);
  });

  it('draws per exemplar for deformations learnt by exemplar', async () => {
    const { randomLattices } = await import('../benchmarks/study/sources.js');
    const rng = new Rng(2);
    const learnt: ExemplarDeformations = {
      grid: 4,
      height: H,
      width: W,
      fit: [],
      byExemplar: [0.2, 1, 4].map((size) => Float32Array.from({ length: 32 * 50 }, () => size * (2 * rng.next() - 1))),
    };
    const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    const r = randomLattices(learnt, 7);
    expect('byClass' in r).toBe(false);
    expect(r.byExemplar.map((l) => l.length)).toEqual([1600, 1600, 1600]);
    for (let e = 0; e < 3; e++) {
      expect(r.byExemplar[e]).not.toEqual(learnt.byExemplar[e]);
      expect(rms(r.byExemplar[e]) / rms(learnt.byExemplar[e])).toBeGreaterThan(0.9);
      expect(rms(r.byExemplar[e]) / rms(learnt.byExemplar[e])).toBeLessThan(1.1);
    }
    expect(randomLattices(learnt, 7).byExemplar).toEqual(r.byExemplar);
  });
});
