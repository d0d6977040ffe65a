import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OtfgenArgumentError, Rng, affineWarp, elasticField } from '../src/index.js';
import { affineWarpTensor, elasticDisplacement } from '../src/adaptive/warp.js';
import { registerWasmTrainingKernels } from '../src/index.js';

beforeAll(() => registerWasmTrainingKernels());

const H = 12,
  W = 10;

/** Smooth random images: a few Gaussian blobs each. */
function images(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * H * W);
  for (let i = 0; i < n; i++)
    for (let b = 0; b < 3; b++) {
      const cy = 2 + rng.next() * (H - 4),
        cx = 2 + rng.next() * (W - 4),
        r = 1 + rng.next() * 2;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[i * H * W + y * W + x] += Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r));
    }
  return out;
}

const PARAMS = [
  [20, 1.1, -8, 1.3, -0.7],
  [-35, 0.85, 12, -2.2, 1.9],
  [3, 1.3, 0, 0.4, 0.2],
];

describe('affineWarpTensor', () => {
  it('computes what the CPU affineWarp computes', async () => {
    await tf.setBackend('cpu');
    const src = images(3, 1);
    const out = affineWarpTensor(tf.tensor4d(src, [3, H, W, 1]), tf.tensor2d(PARAMS));
    const got = await out.data();
    const want = new Float32Array(3 * H * W);
    PARAMS.forEach(([rotation, scale, shear, shiftX, shiftY], i) =>
      affineWarp(src, i * H * W, H, W, { rotation, scale, shear, shiftX, shiftY }, want, i * H * W),
    );
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(want.some((v) => v > 0.1)).toBe(true);
    tf.disposeVariables();
  });

  it('is the identity at rotation 0, scale 1, shear 0, no shift, on every channel', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * H * W * 3 }, (_, i) => (i % 7) / 7),
      [2, H, W, 3],
    );
    const out = affineWarpTensor(
      x,
      tf.tensor2d([
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
      ]),
    );
    expect(out.shape).toEqual([2, H, W, 3]);
    expect(Math.max(...(await tf.abs(tf.sub(out, x)).data()))).toBeLessThan(1e-5);
  });

  it("reads the nearest edge pixel outside the image with padding 'border'", async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([1, H, W, 1]) as tf.Tensor4D;
    const shifted = tf.tensor2d([[0, 1, 0, 3, 0]]); // 3 px right: the first 3 columns come from outside
    const zeros = await affineWarpTensor(x, shifted).data();
    const border = await affineWarpTensor(x, shifted, { padding: 'border' }).data();
    expect(zeros[0]).toBe(0);
    expect(border[0]).toBeCloseTo(1, 5);
    expect(Math.min(...border)).toBeCloseTo(1, 5);
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`has gradients for the parameters and the images that match finite differences on ${backend}, and leaks no tensor`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const src = tf.tensor4d(images(3, 2), [3, H, W, 1]);
      const weights = tf.tensor4d(images(3, 3), [3, H, W, 1]);
      const loss = (p: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(affineWarpTensor(x as tf.Tensor4D, p as tf.Tensor2D), weights));
      const p = tf.tensor2d(PARAMS);
      const [gp, gx] = tf.grads(loss)([p, src]);
      const analytic = await gp.data();
      const base = PARAMS.flat();
      const eps = [0.01, 0.0005, 0.01, 0.005, 0.005];
      for (let k = 0; k < base.length; k++) {
        const at = (d: number) =>
          tf.tidy(
            () =>
              loss(
                tf.tensor2d(
                  base.map((v, j) => (j === k ? v + d : v)),
                  [3, 5],
                ),
                src,
              ).dataSync()[0],
          );
        const e = eps[k % 5];
        const numeric = (at(e) - at(-e)) / (2 * e);
        expect(Math.abs(analytic[k] - numeric), `param ${k}: analytic ${analytic[k]}, numeric ${numeric}`).toBeLessThan(0.03 * Math.abs(numeric) + 0.02);
      }
      // The image gradient: the warp is linear in the image, so one pixel's gradient is exact by differences.
      const gxv = await gx.data();
      for (const idx of [5, 57, 200, 333]) {
        const onePixel = new Float32Array(3 * H * W);
        onePixel[idx] = 1;
        const numeric = tf.tidy(() => loss(p, tf.tensor4d(onePixel, [3, H, W, 1])).dataSync()[0]);
        expect(gxv[idx]).toBeCloseTo(numeric, 3);
      }
      tf.dispose([src, weights, p, gp, gx]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('an elastic field moves source points as the CPU elasticField does, and its control points get gradients', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const grid = 3,
      n = 2;
    const src = images(n, 4);
    // The CPU field, from a recorded sequence of draws.
    const draws = Array.from({ length: n * 2 * grid * grid }, (_, i) => ((i * 7919) % 97) / 97);
    let at = 0;
    const rng = { next: () => draws[at++] };
    const control = new Float64Array(2 * grid * grid);
    const want = new Float32Array(n * H * W);
    const amplitude = 2;
    const controlTensor = new Float32Array(n * grid * grid * 2);
    for (let i = 0; i < n; i++) {
      const field = { dx: new Float32Array(H * W), dy: new Float32Array(H * W) };
      elasticField(rng, amplitude, grid, H, W, control, field);
      // elasticField keeps x moves then y moves; the tensor takes [grid, grid, 2].
      for (let k = 0; k < grid * grid; k++) {
        controlTensor[(i * grid * grid + k) * 2] = control[k];
        controlTensor[(i * grid * grid + k) * 2 + 1] = control[grid * grid + k];
      }
      affineWarp(src, i * H * W, H, W, { rotation: 10, scale: 1, shear: 0, shiftX: 0.5, shiftY: 0 }, want, i * H * W, field);
    }
    const x = tf.tensor4d(src, [n, H, W, 1]);
    const params = tf.tensor2d([
      [10, 1, 0, 0.5, 0],
      [10, 1, 0, 0.5, 0],
    ]);
    const c = tf.tensor4d(controlTensor, [n, grid, grid, 2]);
    const warp = (ct: tf.Tensor) => affineWarpTensor(x, params, { displacement: elasticDisplacement(ct as tf.Tensor4D, H, W) });
    const got = tf.tidy(() => warp(c).dataSync());
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    const weights = tf.tensor4d(images(n, 5), [n, H, W, 1]);
    const loss = (ct: tf.Tensor) => tf.sum(tf.mul(warp(ct), weights));
    const g = tf.grad(loss)(c);
    const analytic = await g.data();
    for (const k of [0, 5, 13, 30]) {
      const at = (d: number) =>
        tf.tidy(
          () =>
            loss(
              tf.tensor4d(
                controlTensor.map((v, j) => (j === k ? v + d : v)),
                [n, grid, grid, 2],
              ),
            ).dataSync()[0],
        );
      const numeric = (at(0.005) - at(-0.005)) / 0.01;
      expect(Math.abs(analytic[k] - numeric), `control ${k}`).toBeLessThan(0.03 * Math.abs(numeric) + 0.02);
    }
    const notSquare = tf.zeros([1, 3, 2, 2]) as tf.Tensor4D,
      oneAxis = tf.zeros([n, H, W, 1]) as tf.Tensor4D;
    expect(() => elasticDisplacement(notSquare, H, W)).toThrow(/grid, grid, 2/);
    expect(() => affineWarpTensor(x, params, { displacement: oneAxis })).toThrow(/displacement/);
    tf.dispose([x, params, c, weights, g, notSquare, oneAxis]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the argument and the right shape on bad input', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros([2, H, W, 1]) as tf.Tensor4D;
    expect(() => affineWarpTensor(tf.zeros([H, W]) as never, tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(/affineWarpTensor\(images\).*rank-4/);
    expect(() => affineWarpTensor(x, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(OtfgenArgumentError);
    expect(() => affineWarpTensor(x, tf.zeros([3, 5]) as tf.Tensor2D)).toThrow(/\[2, 5\]/);
    expect(() => affineWarpTensor(x, tf.zeros([2, 5]) as tf.Tensor2D, { padding: 'mirror' as never })).toThrow(/padding/);
    tf.dispose(x);
  });
});
