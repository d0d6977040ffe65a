/**
 * Do generated digits generalise beyond MNIST? The reference CNN trained for
 * the same steps (a) on generated digits alone (the fitted ranges of the
 * synthetic-only study, fitted to MNIST's training images) and (b) on MNIST's
 * training set, each tested on MNIST's test set and on a digit set by other
 * writers at another resolution (optdigits.ts). Writes
 * benchmarks/results/real-digits-optdigits.json.
 *
 *   npx tsx benchmarks/real-digits/compare.ts [--seeds 3] [--steps 3000]
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MNIST_DIGIT_PARAMS, arraySource, digits, generate } from '../../src/index.js';
import { mnist, selectBackend } from '../../src/node/index.js';
import { createModel, evaluate, train } from '../../src/harness/index.js';
import { optdigits } from './optdigits.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, steps: { type: 'string', default: '3000' } } });
const SEEDS = Number(values.seeds),
  STEPS = Number(values.steps),
  BATCH = 64;
/** The fitted ranges of the synthetic-only study (fitted to MNIST's training images). */
const PARAMS = MNIST_DIGIT_PARAMS;

await selectBackend({ backend: 'wasm' });
const [mnistTrain, mnistTest] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
const other = optdigits();
const feeds = {
  'generated digits': (seed: number) => generate(digits, { seed, batchSize: BATCH, params: PARAMS }),
  'MNIST training set': (seed: number) => arraySource(mnistTrain, { batchSize: BATCH, seed, epochs: Infinity }),
};
type Row = { seed: number; trainedOn: string; mnistTest: number; optdigits: number; optdigitsPerClass: number[] };
const runs: Row[] = [];
for (let seed = 1; seed <= SEEDS; seed++) {
  for (const [name, feed] of Object.entries(feeds)) {
    const model = createModel({ seed });
    try {
      await train({ model, steps: feed(seed), totalSteps: STEPS, lrSchedule: 'one-cycle' });
      const a = await evaluate(model, { data: mnistTest });
      const b = await evaluate(model, { data: other });
      runs.push({ seed, trainedOn: name, mnistTest: a.accuracy, optdigits: b.accuracy, optdigitsPerClass: b.perClass.map((v) => +v.toFixed(3)) });
      console.log(`seed ${seed}, ${name}: MNIST test ${a.accuracy.toFixed(4)}, optdigits ${b.accuracy.toFixed(4)}`);
    } finally {
      model.dispose();
    }
  }
}
const mean = (name: string, key: 'mnistTest' | 'optdigits') => {
  const r = runs.filter((x) => x.trainedOn === name);
  return +(r.reduce((s, x) => s + x[key], 0) / r.length).toFixed(4);
};
const result = {
  command: `npx tsx benchmarks/real-digits/compare.ts --seeds ${SEEDS} --steps ${STEPS}`,
  date: new Date().toISOString().slice(0, 10),
  model: 'the reference CNN, Adam, one-cycle learning rate, batch 64',
  steps: STEPS,
  seeds: SEEDS,
  generatedParams: PARAMS,
  otherSet:
    "scikit-learn's digits (UCI optdigits, 1,797 images, CC BY 4.0; Debian python3-sklearn): 8x8 counts upsampled to 20x20 and centred by mass in 28x28",
  mean: Object.fromEntries(Object.keys(feeds).map((n) => [n, { mnistTest: mean(n, 'mnistTest'), optdigits: mean(n, 'optdigits') }])),
  runs,
};
await writeFile(fileURLToPath(new URL('../results/real-digits-optdigits.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result.mean));
