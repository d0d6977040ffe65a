/**
 * The README's example: a small CNN warms up on generated pixel-count images
 * (a regression head), then trains on real MNIST (a 10-class head on the same
 * body), and is tested on MNIST's test set.
 * Run: npx tsx examples/quick-start.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { arraySource, generate, pixelCountTask, toTensors, warmupSchedule } from 'otfgen';
import { mnist, selectBackend } from 'otfgen/node';

// wasm (with otfgen's conv training kernels), or tfjs-node when it is installed.
const { choice } = await selectBackend();

// One body, two heads: the warm-up's regression head and the digits' class head.
const input = tfl.input({ shape: [28, 28, 1] });
let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
const body = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
const head = (units: number, activation: 'linear' | 'softmax') =>
  tfl.model({ inputs: input, outputs: tfl.layers.dense({ units, activation }).apply(body) as tfl.SymbolicTensor });
const counter = head(1, 'linear');
const classifier = head(10, 'softmax');
counter.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
classifier.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const schedule = warmupSchedule({
  // Targets scaled: the share of pixels on, in [0, 1], not the count 0..784.
  synthetic: generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 64 }),
  real: arraySource(await mnist({ split: 'train' }), { batchSize: 64, seed: 1, epochs: Infinity }),
  totalSteps: 300,
  warmup: 0.3, // the first 30% of the steps are generated
});
let net = counter;
for await (const { batch, taskChanged } of schedule) {
  if (taskChanged) net = classifier; // the head swap: pixel counts -> digit classes, same body
  const { xs, ys } = toTensors(batch);
  await net.trainOnBatch(xs, ys);
  tf.dispose([xs, ys]);
}

const [test] = await arraySource(await mnist({ split: 'test' }), { batchSize: 10000, shuffle: false }).toArray();
const { xs, ys } = toTensors(test);
const [, accuracy] = classifier.evaluate(xs, ys) as tf.Scalar[];
console.log(`${choice}: test accuracy ${(await accuracy.data())[0].toFixed(3)} after 300 steps, 90 of them generated`);
tf.dispose([xs, ys, accuracy]);
