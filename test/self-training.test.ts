import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { OtfgenArgumentError, toDataset, type Exemplars } from '../src/index.js';
import { selfTraining, type SelfTrainingOptions } from '../src/adaptive/self-training.js';
import { createModel, train } from '../src/harness/index.js';
import { selectBackend } from '../src/node/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

const N = 28 * 28;
const noWarp = { rotation: 0, scale: 1, shear: 0, shift: 0 };

/** One exemplar per class: image c has pixel 1 set to (c + 1) / 255 (pixel 0 stays 0, which no unlabelled image has). */
function exemplars(): Exemplars {
  const x = new Float32Array(10 * N);
  for (let c = 0; c < 10; c++) x[c * N + 1] = (c + 1) / 255;
  return { x, y: Int32Array.from({ length: 10 }, (_, c) => c), sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } };
}

/** 30 unlabelled uint8 images: image i has pixel 0 = i + 1 (so it names itself). */
function unlabelled() {
  const x = new Uint8Array(30 * N);
  for (let i = 0; i < 30; i++) x[i * N] = i + 1;
  return { x, sampleShape: [28, 28, 1] };
}

/**
 * A stand-in classifier: reads image i from its pixel 0 and gives logit i / 10 to class i % 10
 * (0 to the others), so of images c, c + 10 and c + 20, class c is surest of c + 20.
 * `calls` counts the images read, call by call.
 */
function byIndex() {
  const calls: number[] = [];
  const classifier = (images: tf.Tensor4D) => {
    const first = tf.slice(images, [0, 0, 0, 0], [-1, 1, 1, 1]).dataSync();
    calls.push(first.length);
    const logits = new Float32Array(first.length * 10);
    first.forEach((v, k) => {
      const i = Math.round(v * 255) - 1;
      if (i >= 0) logits[k * 10 + (i % 10)] = i / 10;
    });
    return tf.tensor2d(logits, [first.length, 10]);
  };
  return { classifier, calls };
}

const base = (classifier: SelfTrainingOptions['classifier']): SelfTrainingOptions => ({
  exemplars: exemplars(),
  unlabelled: unlabelled(),
  classifier,
  schedule: [{ at: 2, perClass: 2 }],
  seed: 7,
  batchSize: 16,
  params: noWarp,
});

/** Wraps a classifier to record, at each call, how many batches had been trained then (the loop calls `trained` after each). */
function countingReads(logits: (images: tf.Tensor4D) => tf.Tensor) {
  let trained = 0;
  const readAfter: number[] = [];
  const classifier = (images: tf.Tensor4D) => {
    readAfter.push(trained);
    return logits(images);
  };
  return { classifier, readAfter, trained: () => void trained++, count: () => trained };
}

/** The unlabelled image (its index) a sample is, or -1 for an exemplar. */
const which = (x: Float32Array, k: number) => Math.round(x[k * N] * 255) - 1;

describe('selfTraining', () => {
  it('draws the exemplars alone until a reading, then also the unlabelled images read most confidently as each class, under their labels', async () => {
    const { classifier, calls } = byIndex();
    const grow = selfTraining(base(classifier));
    const batches = await grow.stream.take(5).toArray();
    expect(calls).toEqual([30]); // one reading, of all 30 images at once
    // Each class takes its 2 surest: c + 20 and c + 10 (probability softmax(i / 10) of i's class).
    const entry = grow.log[0];
    expect(entry.step).toBe(2);
    expect(entry.labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(entry.indices).toEqual(Array.from({ length: 10 }, (_, c) => [c + 20, c + 10]).flat());
    const p = (i: number) => Math.exp(i / 10) / (Math.exp(i / 10) + 9);
    expect(entry.meanConfidence).toBeCloseTo(entry.indices.reduce((a, i) => a + p(i), 0) / 20, 5);
    expect(grow.current()).toEqual({ pseudoLabels: 20 });
    for (const [b, batch] of batches.entries()) {
      for (let k = 0; k < batch.size; k++) {
        const i = which(batch.x, k);
        if (b < 2) expect(i).toBe(-1); // before the reading: exemplars only
        if (i >= 0) {
          expect(entry.indices).toContain(i);
          expect(batch.y[k]).toBe(i % 10);
        } else {
          expect(batch.x[k * N + 1]).toBeCloseTo((batch.y[k] + 1) / 255, 6); // the class's own exemplar
        }
      }
    }
    // Batches 2-4 hold both: 20 pseudo-labelled images and 10 exemplars in the pool.
    const after = batches.slice(2).flatMap((b) => Array.from({ length: b.size }, (_, k) => which(b.x, k)));
    expect(after.some((i) => i >= 0)).toBe(true);
    expect(after.some((i) => i < 0)).toBe(true);
  });

  it('reads afresh at each reading, keeps only what clears minConfidence, and gives the same bytes for the same options', async () => {
    const run = async (options: Partial<SelfTrainingOptions>) => {
      const { classifier } = byIndex();
      const grow = selfTraining({ ...base(classifier), ...options });
      const batches = await grow.stream.take(6).toArray();
      return { grow, batches };
    };
    const a = await run({
      schedule: [
        { at: 1, perClass: 1 },
        { at: 3, perClass: 3 },
      ],
    });
    expect(a.grow.log.map((e) => [e.step, e.indices.length])).toEqual([
      [1, 10],
      [3, 30],
    ]);
    expect(a.grow.log[0].indices).toEqual(Array.from({ length: 10 }, (_, c) => c + 20));
    expect(a.grow.current()).toEqual({ pseudoLabels: 30 });
    const again = await run({
      schedule: [
        { at: 1, perClass: 1 },
        { at: 3, perClass: 3 },
      ],
    });
    expect(again.batches.map((b) => [b.x, b.y])).toEqual(a.batches.map((b) => [b.x, b.y]));
    const other = await run({
      schedule: [
        { at: 1, perClass: 1 },
        { at: 3, perClass: 3 },
      ],
      seed: 8,
    });
    expect(other.batches[4].y).not.toEqual(a.batches[4].y);
    // Probability of image i for class i % 10: e^(i/10) / (e^(i/10) + 9); i = 24 gives 0.551, i = 25 gives 0.575.
    const sure = await run({ minConfidence: 0.56 });
    expect(sure.grow.log[0].indices).toEqual([25, 26, 27, 28, 29]);
    expect(sure.grow.log[0].labels).toEqual([5, 6, 7, 8, 9]);
    // The stream restarts when iterated again: exemplars alone until the reading.
    const second = await a.grow.stream.take(1).toArray();
    expect(second[0].x).toEqual(a.batches[0].x);
  });

  it('with train, reads when the classifier has trained on exactly `at` batches; leaks no tensor', async () => {
    const model = createModel({ seed: 1 });
    const net = model.modelFor({ kind: 'class', classes: 10 });
    const before = tf.memory().numTensors;
    const reads = countingReads((x) => net.apply(x, { training: false }) as tf.Tensor);
    const grow = selfTraining({
      ...base(reads.classifier),
      unlabelled: { x: new Float32Array(1200 * N).fill(0.5), sampleShape: [28, 28, 1] }, // three chunks of at most 500
      schedule: [
        { at: 2, perClass: 3 },
        { at: 4, perClass: 5 },
      ],
    });
    const r = await train({ model, steps: grow.stream, totalSteps: 5, controllers: [grow], onStep: reads.trained });
    expect(reads.readAfter).toEqual([2, 2, 2, 4, 4, 4]);
    expect(r.steps[4].controls!['self-training'].pseudoLabels).toBe(grow.log[1].indices.length);
    // The images are all alike, so one class takes them; its first 5 by index (ties keep their order).
    expect(grow.log[1].indices).toEqual([0, 1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("under a Layers model's fitDataset (toDataset), reads after exactly `at` trained batches, across epochs; leaks no tensor", async () => {
    const net = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10 })] });
    net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const before = tf.memory().numTensors;
    const reads = countingReads((x) => net.predict(x) as tf.Tensor);
    const grow = selfTraining({
      ...base(reads.classifier),
      schedule: [
        { at: 2, perClass: 1 },
        { at: 5, perClass: 2 },
      ],
    });
    // batchesPerEpoch keeps one pass over the (infinite) stream across epochs, so `at` counts every trained batch.
    await net.fitDataset(toDataset(grow.stream), { epochs: 2, batchesPerEpoch: 4, verbose: 0, callbacks: { onBatchEnd: async () => reads.trained() } });
    expect(reads.count()).toBe(8);
    expect(reads.readAfter).toEqual([2, 5]);
    expect(grow.log.map((e) => e.step)).toEqual([2, 5]);
    // Each reading took at least one image and at most perClass of each class.
    grow.log.forEach((e, r) => {
      expect(e.indices.length).toBeGreaterThan(0);
      for (let c = 0; c < 10; c++) expect(e.labels.filter((l) => l === c).length).toBeLessThanOrEqual(r + 1);
    });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('refuses bad options, naming them; a classifier giving logits of the wrong shape fails the reading, leaking nothing', async () => {
    const { classifier } = byIndex();
    const ok = base(classifier);
    const refuse = (o: Partial<SelfTrainingOptions>, message: RegExp) => expect(() => selfTraining({ ...ok, ...o } as SelfTrainingOptions)).toThrow(message);
    refuse({ classifier: undefined as never }, /selfTraining options.classifier: expected a function/);
    refuse({ unlabelled: { x: [1, 2] as never, sampleShape: [28, 28, 1] } }, /selfTraining options.unlabelled.x: expected a Uint8Array or Float32Array/);
    refuse(
      { unlabelled: { x: new Uint8Array(N), sampleShape: [28, 28] } },
      /selfTraining options.unlabelled.sampleShape: expected the exemplars' shape \[28, 28, 1\], got \[28, 28\]/,
    );
    refuse(
      { unlabelled: { x: new Uint8Array(N + 1), sampleShape: [28, 28, 1] } },
      /selfTraining options.unlabelled.x: expected one or more images of 784 values, got 785 values/,
    );
    refuse({ schedule: [] }, /selfTraining options.schedule: expected one or more readings/);
    refuse(
      {
        schedule: [
          { at: 3, perClass: 1 },
          { at: 3, perClass: 2 },
        ],
      },
      /selfTraining options.schedule\[1\].at/,
    );
    refuse({ schedule: [{ at: 1, perClass: 0 }] }, /selfTraining options.schedule\[0\].perClass/);
    refuse({ minConfidence: 1.5 }, /selfTraining options.minConfidence/);
    refuse(
      { params: { rotation: [0, 999] } },
      /selfTraining options.params.rotation: expected a number or a \[lo, hi\] range within \[-180, 180\], got \[0, 999\]/,
    );
    refuse({ params: { twist: 1 } as never }, /selfTraining options.params.twist/);
    refuse({ exemplars: { ...exemplars(), y: new Int32Array(10) } }, /exemplarTask\(exemplars\): class 1 has no exemplar/);
    expect(() => selfTraining({ ...ok, schedule: [{ at: 0, perClass: 1 }] })).not.toThrow();
    const before = tf.memory().numTensors;
    const wrong = selfTraining({ ...ok, classifier: (x) => tf.zeros([x.shape[0], 3]) });
    await expect(wrong.stream.take(3).toArray()).rejects.toThrow(OtfgenArgumentError);
    await expect(
      selfTraining({ ...ok, classifier: (x) => tf.zeros([x.shape[0], 3]) })
        .stream.take(3)
        .toArray(),
    ).rejects.toThrow(/selfTraining options.classifier: expected logits \[30, 10\] for 30 images, got \[30, 3\]/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
