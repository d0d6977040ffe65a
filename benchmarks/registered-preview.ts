/**
 * What exemplars-registered trains on: one seed's exemplars (the one-shot
 * run's seed 1 by default), each under deformations learnt by registering it
 * onto procedural digits of its class, as a PNG grid, one row per class:
 * draws of the deformation alone (factor in [0, 1.5], as the one-shot method
 * draws it; no affine warp or thickness change).
 *
 *   npx tsx benchmarks/registered-preview.ts [--seed 1] [--out benchmarks/results/previews/exemplars-registered.png]
 */
import '@tensorflow/tfjs-layers'; // the gradients the registration needs
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { digits, exemplarTask, pickExemplars, renderBatch } from '../src/index.js';
import { learnExemplarDeformations } from '../src/adaptive/index.js';
import { previewPng } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node/index.js';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, out: { type: 'string', default: 'benchmarks/results/previews/exemplars-registered.png' } },
});
const seed = Number(values.seed);
await selectBackend();
const exemplars = pickExemplars(await mnist({ split: 'train' }), { perClass: 1, seed });
// As the one-shot source learns them (harness/sources.ts exemplarDeformations): 3,000 digits by the seed, 100 a class.
const deformations = learnExemplarDeformations(exemplars, renderBatch(digits, { seed, index: 0, batchSize: 3000 }), { perExemplar: 100, grid: 5, seed });
const still = { rotation: 0, scale: 1, shear: 0, shift: 0 } as const;
const task = exemplarTask(exemplars, { deformations });
const png = await previewPng(task, { seed, perRow: 12, params: { ...still, deformation: [0, 1.5] } });
await writeFile(values.out!, png);
console.log(
  `wrote ${values.out} (fit before -> after, per class: ${deformations.fit.map((f) => `${f.before.toFixed(3)} -> ${f.after.toFixed(3)}`).join(', ')})`,
);
