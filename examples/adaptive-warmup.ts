/**
 * Adaptive generation: a digits warm-up whose class weights follow the model's
 * per-class accuracy on held-out real images, and a learned augmenter that warps
 * real exemplars against the classifier. Each controller's choices per step end
 * up in the run records.
 * Run: npx tsx examples/adaptive-warmup.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients training needs in Node
import { arraySource, classReweighting, digits, exemplarTask, generate, learnedAugmenter, pickExemplars, warmupSchedule } from 'otfgen';
import { createModel, train } from 'otfgen/harness';
import { mnist, selectBackend } from 'otfgen/node';

await selectBackend();
const [trainSet, testSet] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
const heldOut = { ...trainSet, x: trainSet.x.subarray(59_000 * 784), y: trainSet.y.subarray(59_000), count: 1000 };
const real = () => arraySource(trainSet, { batchSize: 64, seed: 1, epochs: Infinity });

// 1. Class reweighting: every 25 steps, classes the model gets wrong are drawn more often.
const model1 = createModel({ seed: 1 });
const reweight = classReweighting({ classes: 10 });
const r1 = await train({
  model: model1,
  steps: warmupSchedule({ synthetic: generate(digits, { seed: 1, params: reweight.params }), real: real(), totalSteps: 300, warmup: 0.5 }),
  controllers: [reweight],
  feedback: { data: heldOut, every: 25, limit: 500 },
  evaluation: { data: testSet },
});
console.log(`reweighted digits warm-up: test accuracy ${r1.final?.accuracy.toFixed(4)}; last weights ${reweight.weights.map((w) => w.toFixed(2)).join(' ')}`);
model1.dispose();

// 2. A learned augmenter on one real image per class, trained to raise the classifier's loss.
const model2 = createModel({ seed: 1 });
const net = model2.modelFor({ kind: 'class', classes: 10 });
const augmenter = learnedAugmenter({ classifier: (x) => net.apply(x) as tf.Tensor, seed: 1, ramp: 50, maxRotation: 30, maxTranslation: 3 });
const exemplars = exemplarTask(pickExemplars(trainSet, { perClass: 1, seed: 1 }));
const synthetic = generate(exemplars, { seed: 1, params: { rotation: 0, scale: 1, shear: 0, shift: 0 } }).pipe(augmenter.augment);
const r2 = await train({
  model: model2,
  steps: warmupSchedule({ synthetic, real: real(), totalSteps: 300, warmup: 0.3 }),
  controllers: [augmenter],
  evaluation: { data: testSet },
});
console.log(`learned-augmenter warm-up: test accuracy ${r2.final?.accuracy.toFixed(4)}; warp at step 80: ${JSON.stringify(r2.steps[80].controls?.['learned-augmenter'])}`);
augmenter.dispose();
model2.dispose();
