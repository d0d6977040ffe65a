/**
 * Adaptive generation: a digits warm-up whose class weights follow the model's
 * per-class accuracy on held-out real images, and a learned augmenter that warps
 * real exemplars against the classifier, and a policy that picks which of two
 * digits streams each batch comes from. Each controller's choices per step end
 * up in the run records.
 * Run: npx tsx examples/adaptive-warmup.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients training needs in Node
import { arraySource, digits, exemplarTask, generate, mix, pickExemplars, warmupSchedule } from 'otfgen';
import { classReweighting, learnedAugmenter, mixPolicy } from 'otfgen/adaptive';
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
console.log(
  `learned-augmenter warm-up: test accuracy ${r2.final?.accuracy.toFixed(4)}; warp at step 80: ${JSON.stringify(r2.steps[80].controls?.['learned-augmenter'])}`,
);
augmenter.dispose();
model2.dispose();

// 3. A policy over a mix: which of two digits streams each warm-up batch comes from, paid by held-out progress.
const model3 = createModel({ seed: 1 });
const chooser = mixPolicy({ sources: ['upright', 'slanted'], reward: 'progress', seed: 1 });
const blended = mix([generate(digits, { seed: 1, params: { slant: 0 } }), generate(digits, { seed: 2, params: { slant: [10, 40] } })], chooser.weights, {
  batchSize: 64,
  seed: 1,
});
const r3 = await train({
  model: model3,
  steps: warmupSchedule({ synthetic: blended, real: real(), totalSteps: 300, warmup: 0.5 }),
  controllers: [chooser],
  feedback: { data: heldOut, every: 25, limit: 500 },
  evaluation: { data: testSet },
});
console.log(`mix-policy warm-up: test accuracy ${r3.final?.accuracy.toFixed(4)}; shares ${JSON.stringify(chooser.current())}`);
model3.dispose();
