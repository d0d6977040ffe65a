import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { arraySource, fromIterable, generate, pixelCountTask, toDataset, toTensors, type Batch } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const classBatch: Batch = {
  x: Float32Array.from([0, 0.5, 1, 0.25]),
  y: Int32Array.from([2, 0]),
  size: 2,
  sampleShape: [2, 1, 1],
  target: { kind: 'class', classes: 3 },
};

describe('toTensors', () => {
  it('makes one xs and one ys tensor: one-hot, index or regression', async () => {
    const before = tf.memory().numTensors;
    const { xs, ys } = toTensors(classBatch);
    expect(xs.shape).toEqual([2, 2, 1, 1]);
    expect(ys.shape).toEqual([2, 3]);
    expect(await ys.array()).toEqual([[0, 0, 1], [1, 0, 0]]);
    const idx = toTensors(classBatch, { labels: 'index' });
    expect(idx.ys.dtype).toBe('int32');
    expect(Array.from(await idx.ys.data())).toEqual([2, 0]);
    const [reg] = await generate(pixelCountTask({ target: 'fraction' }), { batchSize: 3 }).take(1).toArray();
    const r = toTensors(reg);
    expect(r.ys.shape).toEqual([3, 1]);
    expect(r.xs.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([xs, ys, idx.xs, idx.ys, r.xs, r.ys]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(classBatch, { labels: 'sparse' as never })).toThrow(/labels/);
  });
});

describe('toDataset', () => {
  it('model.fitDataset trains from a stream and leaks no tensors', async () => {
    const x = new Uint8Array(64 * 4);
    const y = new Uint8Array(64);
    for (let i = 0; i < 64; i++) {
      y[i] = i % 2;
      x.fill(y[i] ? 255 : 0, i * 4, i * 4 + 4);
    }
    const data = { x, y, sampleShape: [4], target: { kind: 'class', classes: 2 } as const };
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.adam(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    // Warm the optimizer's variables so the count below is steady state.
    await model.fitDataset(toDataset(arraySource(data, { batchSize: 16, seed: 1 })), { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(toDataset(arraySource(data, { batchSize: 16, seed: 1 })), { epochs: 5, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const acc = history.history.acc as number[];
    expect(acc[acc.length - 1]).toBe(1);
    expect(toDataset(arraySource(data, { batchSize: 16 })).size).toBe(4);
    expect(toDataset(fromIterable([classBatch])).size).toBe(1);
    expect(toDataset(fromIterable(async function* () {})).size).toBeNaN();
    model.dispose();
  });
});
