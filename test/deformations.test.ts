import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OtfgenArgumentError, Rng, affineWarp, exemplarTask, generate, latticeField, learnDeformations, pickExemplars, type Deformations, type Exemplars } from '../src/index.js';
import { generate as generateInWorkers, registerWasmTrainingKernels } from '../src/node.js';

beforeAll(() => registerWasmTrainingKernels());

const H = 14, W = 12, N = H * W;
const CLASSES = { kind: 'class', classes: 2 } as const;
const still = { rotation: 0, scale: 1, shear: 0, shift: 0 } as const;

/** An image of a few Gaussian blobs away from the border. */
function blobs(rng: Rng): Float32Array {
  const out = new Float32Array(N);
  for (let b = 0; b < 3; b++) {
    const cy = 4 + rng.next() * (H - 8), cx = 4 + rng.next() * (W - 8), r = 1 + rng.next();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = Math.min(1, out[y * W + x] + Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r)));
  }
  return out;
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;

/** `img` warped by lattice `k` of `lattices` (no affine part), times `scale`. */
function deform(img: Float32Array, d: Deformations, lattices: Float32Array, k: number, scale = 1): Float32Array {
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
  for (let y = 0; y < H; y++) for (let c = 0; c < W; c++) (bend.dx[y * W + c] = 1.2 + (0.6 * y) / H), (bend.dy[y * W + c] = -0.8);
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
        const a = data.x.subarray(2 * c * N, (2 * c + 1) * N), b = data.x.subarray((2 * c + 1) * N, (2 * c + 2) * N);
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
    const ex = exemplars(), d = made();
    const task = exemplarTask(ex, { deformations: d });
    const [plain] = await generate(task, { seed: 1, batchSize: 16, params: still }).take(1).toArray();
    const [moved] = await generate(task, { seed: 1, batchSize: 16, params: { ...still, deformation: 1.5 } }).take(1).toArray();
    let changed = 0;
    for (let i = 0; i < 16; i++) {
      const c = moved.y[i], got = moved.x.subarray(i * N, (i + 1) * N), src = ex.x.subarray(c * N, (c + 1) * N);
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

  it('is refused without deformations, or with ones that do not fit the exemplars', () => {
    const ex = exemplars(), d = made();
    expect(() => generate(exemplarTask(ex), { params: { deformation: 1 } })).toThrow(/params\.deformation: expected a number or a \[lo, hi\] range within \[0, 0\]/);
    const refuse = (bad: unknown, message: RegExp) => expect(() => exemplarTask(ex, { deformations: bad as Deformations })).toThrow(message);
    refuse({ ...d, height: 28 }, /^exemplarTask options\.deformations: learnt on 28x12 images; the exemplars are 14x12/);
    refuse({ ...d, byClass: [d.byClass[0]] }, /has 1 classes; the exemplars have 2/);
    refuse({ ...d, byClass: [d.byClass[0], new Float32Array(5)] }, /options\.deformations\.byClass\[1\]: expected a Float32Array of one or more lattices of 18 numbers/);
    refuse(null, /expected what learnDeformations returns/);
    expect(() => exemplarTask({ ...ex, y: new Int32Array([0, -1]) })).toThrow(/^exemplarTask\(exemplars\)\.y\[1\]: expected a class id in 0\.\.1, got -1/);
    expect(() => pickExemplars({ ...ex, y: new Float32Array([1, 0.5]) })).toThrow(/^pickExemplars\(data\)\.y\[1\]: expected a class id in 0\.\.1, got 0\.5/);
    expect(() => exemplarTask(ex, { elasticGrid: 1 })).toThrow(/exemplarTask options\.elasticGrid: expected an integer in \[2, 14\]/);
  });
});

describe('the exemplars-deformed and exemplars-thick-elastic one-shot methods', () => {
  it('learn deformations from procedural digits once per seed and params (which the digits take), add them to random warps, and leak no tensor', async () => {
    const { selectBackend, mnist } = await import('../src/node.js');
    const { SOURCES, digitDeformations, heldOutOf } = await import('../src/harness/sources.js');
    const { createModel } = await import('../src/harness/index.js');
    await selectBackend({ backend: 'wasm' });
    const trainSet = await mnist({ split: 'train' });
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1 });
    const ctx = { seed: 1, batchSize: 32, train: trainSet, model, heldOut: heldOutOf(trainSet), batches: 4 };
    const first = async (name: string, more: object = {}) => (await SOURCES[name].make({ ...ctx, ...more }).stream.take(1).toArray())[0];
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
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});

describe('randomLattices (the control of exemplars-deformed-random)', () => {
  it('draws as many lattices per class as were learnt, Gaussian, of the same root mean square, by seed', async () => {
    const { randomLattices } = await import('../src/harness/sources.js');
    const rng = new Rng(1);
    const learnt: Deformations = {
      grid: 4, height: H, width: W, fit: [],
      byClass: [Float32Array.from({ length: 32 * 200 }, () => 0.5 * (2 * rng.next() - 1)), Float32Array.from({ length: 32 * 100 }, () => 3 * (2 * rng.next() - 1))],
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
});
