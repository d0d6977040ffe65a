import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arraySource, generate, pixelCountTask, warmupSchedule } from '../src/index.js';
import { createModel, learningRateAt, train } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('train', () => {
  it('runs a warm-up schedule: swaps the head, records steps, evaluates, leaks nothing', async () => {
    const [trainSet, testSet] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1 });
    const result = await train({
      model,
      steps: warmupSchedule({
        synthetic: generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 32 }),
        real: arraySource(trainSet, { batchSize: 32, seed: 1, epochs: Infinity }),
        totalSteps: 60,
        warmup: 0.25,
      }),
      lrSchedule: 'one-cycle',
      evaluation: { data: testSet, at: [30], limit: 1000 },
    });
    expect(result.steps.length).toBe(60);
    expect(result.steps.filter((s) => s.phase === 'warmup').length).toBe(15);
    expect(result.steps.findIndex((s) => s.taskChanged)).toBe(15);
    expect(result.steps.every((s) => Number.isFinite(s.loss) && s.dataMs >= 0 && s.computeMs > 0)).toBe(true);
    expect(result.evals.map((e) => e.step)).toEqual([30, 60]);
    // 45 real steps of 32 images already beat chance by far.
    expect(result.final!.accuracy).toBeGreaterThan(0.5);
    expect(result.dataMs + result.computeMs).toBeLessThanOrEqual(result.wallMs + 1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('refuses a stream of unknown length without totalSteps, and bad options', async () => {
    const model = createModel();
    await expect(train({ model, steps: generate(pixelCountTask()) })).rejects.toThrow(/totalSteps/);
    await expect(train({ model, steps: generate(pixelCountTask()), totalSteps: 1, lrSchedule: 'cyclic' as never })).rejects.toThrow(/lrSchedule/);
    const small = generate(pixelCountTask({ size: 8 }));
    await expect(train({ model, steps: small, totalSteps: 1 })).rejects.toThrow(/\[8, 8, 1\] does not fit the model's input \[28, 28, 1\]/);
    model.dispose();
  });

  it("builds the architectures: 'wide' is the reference layout with wider layers; unknown names are refused", () => {
    const before = tf.memory().numTensors;
    const params = (a: 'reference' | 'wide' | 'small') => {
      const m = createModel({ seed: 1, architecture: a });
      const shapes = m.bodyWeights().map((v) => v.shape);
      m.dispose();
      return shapes;
    };
    expect(params('reference')).toEqual([[3, 3, 1, 8], [8], [3, 3, 8, 16], [16], [400, 64], [64]]);
    expect(params('wide')).toEqual([[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [1600, 128], [128]]);
    expect(params('small').length).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createModel({ architecture: 'huge' as never })).toThrow(/createModel options.architecture: expected one of 'reference', 'wide', 'small', got "huge"/);
  });

  it('one-cycle rises then falls', () => {
    const lrs = Array.from({ length: 100 }, (_, i) => learningRateAt('one-cycle', 1, i, 100));
    const peak = lrs.indexOf(Math.max(...lrs));
    expect(peak).toBe(29);
    expect(lrs[0]).toBeLessThan(0.2);
    expect(lrs[99]).toBeLessThan(0.05);
    expect(learningRateAt('constant', 0.5, 7, 100)).toBe(0.5);
  });
});
