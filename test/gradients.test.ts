/** Issue 41: clipByGlobalNorm had no test of its maths (disabling it passed the suite). */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from '../src/adaptive/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = async (m: tf.NamedTensorMap): Promise<Record<string, number[]>> =>
  Object.fromEntries(await Promise.all(Object.entries(m).map(async ([k, t]) => [k, Array.from(await t.data())])));

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm over their global norm when that is larger, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // global norm 5
    const clipped = clipByGlobalNorm(grads, 1);
    const got = await values(clipped);
    expect(got.a[0]).toBeCloseTo(0.6, 6);
    expect(got.b[1]).toBeCloseTo(0.8, 6);
    expect(clipped.b.shape).toEqual([1, 2]);
    tf.dispose([grads.a, grads.b, clipped.a, clipped.b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves gradients whose global norm is within maxNorm as they are', async () => {
    const grads = { a: tf.tensor1d([0.3, -0.4]) }; // norm 0.5
    const clipped = clipByGlobalNorm(grads, 2);
    expect((await values(clipped)).a.map((v) => +v.toFixed(6))).toEqual([0.3, -0.4]);
    tf.dispose([grads.a, clipped.a]);
  });
});
