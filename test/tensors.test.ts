import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { arraySource, checkBatch, fromIterable, generate, pixelCountTask, toDataset, toTensors, type Batch } from '../src/index.js';

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
    expect(await ys.array()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const idx = toTensors(classBatch, { labels: 'index' });
    expect(idx.ys.dtype).toBe('float32'); // what sparseCategoricalCrossentropy takes
    expect(Array.from(await idx.ys.data())).toEqual([2, 0]);
    const [reg] = await generate(pixelCountTask({ target: 'fraction' }), { batchSize: 3 })
      .take(1)
      .toArray();
    const r = toTensors(reg);
    expect(r.ys.shape).toEqual([3, 1]);
    expect(r.xs.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([xs, ys, idx.xs, idx.ys, r.xs, r.ys]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(classBatch, { labels: 'sparse' as never })).toThrow(/labels/);
  });
});

describe('checkBatch', () => {
  const bad = (change: Partial<Record<keyof Batch, unknown>>) => ({ ...classBatch, ...change }) as Batch;
  it.each([
    ['x of the wrong length', { x: new Float32Array(3) }, /toTensors batch\.x: has 3 values but size 2 x sampleShape \[2, 1, 1\] needs 4/],
    ['x not a Float32Array', { x: [0, 0.5, 1, 0.25] }, /toTensors batch: expected a Batch with x: Float32Array/],
    ['y of the wrong length', { y: Int32Array.from([1]) }, /toTensors batch\.y: expected 2 values \(size 2 x 1\), got Int32Array of length 1/],
    [
      'class ids in a Uint8Array',
      { y: Uint8Array.from([2, 0]) },
      /toTensors batch\.y: expected an Int32Array of class ids \(2 values: size 2 x 1\), got Uint8Array of length 2/,
    ],
    ['class ids in a Float32Array', { y: Float32Array.from([2, 0]) }, /toTensors batch\.y: class targets must be an Int32Array/],
    ['a class id past the last class', { y: Int32Array.from([2, 3]) }, /toTensors batch\.y\[1\]: class id 3 is outside \[0, 2\]/],
    ['a negative class id', { y: Int32Array.from([-1, 0]) }, /toTensors batch\.y\[0\]: class id -1 is outside \[0, 2\]/],
    ['a fractional size', { size: 1.5 }, /toTensors batch\.size: expected an integer ≥ 0, got 1\.5/],
    ['no sample shape', { sampleShape: undefined }, /toTensors batch\.sampleShape: expected an array of positive integers/],
    ['an unknown target', { target: { kind: 'ranking' } }, /toTensors batch\.target: expected \{ kind: 'class', classes \} or \{ kind: 'regression', size \}/],
    [
      'a temperature of 0',
      { y: new Float32Array(6), target: { kind: 'regression', size: 3, temperature: 0 } },
      /toTensors batch\.target\.temperature: expected a finite number above 0, got 0/,
    ],
  ] as const)('toTensors refuses %s, naming it, and makes no tensor', (_, change, message) => {
    const before = tf.memory().numTensors;
    expect(() => toTensors(bad(change))).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('passes well-formed batches as they are', () => {
    expect(checkBatch('b', classBatch)).toBe(classBatch);
    const reg = { ...classBatch, y: new Float32Array(6), target: { kind: 'regression', size: 3, temperature: 2 } } as Batch;
    expect(checkBatch('b', reg)).toBe(reg);
  });
});

describe('toDataset', () => {
  // Issue 40, item 12: 'index' labels were int32, which sparseCategoricalCrossentropy refuses ("'floor' must be float32").
  it('fitDataset takes each label form with the Layers loss made for it, and leaks no tensors', async () => {
    const { digits } = await import('../src/index.js');
    const forms = [
      { labels: 'oneHot', loss: 'categoricalCrossentropy' },
      { labels: 'index', loss: 'sparseCategoricalCrossentropy' },
    ] as const;
    for (const { labels, loss } of forms) {
      const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10, activation: 'softmax' })] });
      model.compile({ optimizer: tf.train.adam(0.01), loss });
      // Warm the optimizer's variables so the count below is steady state.
      await model.fitDataset(toDataset(generate(digits, { seed: 2, batchSize: 16 }).take(1), { labels }), { epochs: 1, verbose: 0 });
      const before = tf.memory().numTensors;
      const history = await model.fitDataset(toDataset(generate(digits, { seed: 1, batchSize: 16 }).take(3), { labels }), { epochs: 2, verbose: 0 });
      expect(
        history.history.loss.every((l) => Number.isFinite(l as number)),
        labels,
      ).toBe(true);
      expect(tf.memory().numTensors, labels).toBe(before);
      model.dispose();
    }
    // Regression targets with the mean squared error.
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const history = await model.fitDataset(toDataset(generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 16 }).take(3)), {
      epochs: 2,
      verbose: 0,
    });
    expect(history.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    model.dispose();
  });

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
