/**
 * Warm up the reference CNN on generated pixel-count images, then train on real
 * MNIST, swapping the regression head for the 10-class one when the task changes.
 * Run: npx tsx examples/warmup-training.ts
 */
import { arraySource, generate, pixelCountTask, warmupSchedule } from 'otfgen';
import { createModel, train } from 'otfgen/harness';
import { mnist, selectBackend } from 'otfgen/node';
import '@tensorflow/tfjs-layers'; // registers the gradients training needs in Node

const backend = await selectBackend(); // wasm with otfgen's training kernels when tfjs-node is absent
console.log(`training on ${backend.choice}: ${backend.reason}`);

const [trainSet, testSet] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
const result = await train({
  model: createModel({ seed: 1 }),
  steps: warmupSchedule({
    synthetic: generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 64 }),
    real: arraySource(trainSet, { batchSize: 64, seed: 1, epochs: Infinity }),
    totalSteps: 200,
    warmup: 0.3,
  }),
  evaluation: { data: testSet },
  onStep: (s) => s.taskChanged && console.log(`step ${s.step}: task changed, head swapped`),
});
console.log(`test accuracy ${result.final?.accuracy.toFixed(4)} after ${result.steps.length} steps in ${(result.wallMs / 1000).toFixed(1)} s`);
