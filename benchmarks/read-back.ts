/**
 * The reverse of `otfgen synthetic-only`: train the reference CNN on the real
 * training images (MNIST, or the IDX folder given), then read 10,000 generated
 * images of the task with it. Per class: how often the real model reads our
 * items as their own class, and what it takes them for otherwise. A class the
 * real model reads well is one whose items look like real ones (to it); a
 * class it reads as another one is drawn like that other class.
 *
 *   npx tsx benchmarks/read-back.ts <digits|fashion> [--data <IDX folder>] [--steps 1000] [--seeds 3] [--params JSON] [--out file.json]
 *
 * The folder is what benchmarks/fashion-mnist-idx.ts writes (or Fashion-MNIST's own files).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FASHION_CLASSES, arraySource, generate, taskByName } from '../src/index.js';
import { createModel, evaluate, train } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node.js';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string' },
    steps: { type: 'string', default: '1000' },
    seeds: { type: 'string', default: '3' },
    params: { type: 'string' },
    out: { type: 'string' },
  },
});
const taskName = positionals[0];
if (taskName !== 'digits' && taskName !== 'fashion') throw new Error(`expected the task to read back, digits or fashion, got ${taskName === undefined ? 'none' : `'${taskName}'`}`);
const steps = Number(o.steps), seeds = Number(o.seeds);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps: expected a whole number of steps, 1 or more, got '${o.steps}'`);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: expected a whole number of seeds, 1 or more, got '${o.seeds}'`);
const params = o.params === undefined ? undefined : (JSON.parse(o.params) as Record<string, never>);
const names: readonly string[] = taskName === 'fashion' ? FASHION_CLASSES : Array.from({ length: 10 }, (_, c) => String(c));

const backend = await selectBackend({ backend: 'wasm' });
const [realTrain, realTest] = await Promise.all([mnist({ split: 'train', dir: o.data }), mnist({ split: 'test', dir: o.data })]);
// 10,000 generated items, the same for every seed (stream seed 1).
const [batch] = await generate(taskByName(taskName), { seed: 1, batchSize: 10_000, params }).take(1).toArray();
const ours = { x: batch.x as Float32Array, y: batch.y as Int32Array, sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } } as const;

const runs: { seed: number; realTestAccuracy: number; oursAccuracy: number; oursConfusion: number[][] }[] = [];
for (let seed = 1; seed <= seeds; seed++) {
  const model = createModel({ seed });
  try {
    const r = await train({ model, steps: arraySource(realTrain, { batchSize: 64, seed, epochs: Infinity }), totalSteps: steps, lrSchedule: 'one-cycle', evaluation: { data: realTest } });
    const read = await evaluate(model, { data: ours });
    runs.push({ seed, realTestAccuracy: r.final!.accuracy, oursAccuracy: read.accuracy, oursConfusion: read.confusion.map((row) => [...row]) });
    console.log(`seed ${seed}: real test accuracy ${r.final!.accuracy.toFixed(4)}; our ${taskName} read as their class: ${read.accuracy.toFixed(4)}`);
  } finally {
    model.dispose();
  }
}

// Confusions summed over the seeds, as shares of each class's items.
const summed = names.map((_, t) => names.map((_, p) => runs.reduce((a, r) => a + r.oursConfusion[t][p], 0)));
const perClass = summed.map((row, t) => {
  const n = row.reduce((a, v) => a + v, 0);
  const others = row.map((v, p) => ({ p, share: v / n })).filter((e) => e.p !== t).sort((a, b) => b.share - a.share);
  return { class: names[t], readAsItself: +(row[t] / n).toFixed(4), mostOftenReadAs: { class: names[others[0].p], share: +others[0].share.toFixed(4) } };
});
const mean = (f: (r: (typeof runs)[number]) => number) => +(runs.reduce((a, r) => a + f(r), 0) / runs.length).toFixed(4);
console.log(`\nmean of ${seeds} seed(s): real test accuracy ${mean((r) => r.realTestAccuracy)}; our ${taskName} read as their class ${mean((r) => r.oursAccuracy)}\n`);
console.log('| class | our items read as their class | most often read as |');
console.log('| --- | --- | --- |');
for (const c of perClass) console.log(`| ${c.class} | ${(100 * c.readAsItself).toFixed(0)}% | ${c.mostOftenReadAs.class} (${(100 * c.mostOftenReadAs.share).toFixed(0)}%) |`);

if (o.out) {
  const report = {
    task: taskName,
    data: o.data ?? 'MNIST',
    steps,
    batchSize: 64,
    params: params ?? {},
    backend: backend.choice,
    generated: { count: batch.size, seed: 1 },
    meanRealTestAccuracy: mean((r) => r.realTestAccuracy),
    meanOursAccuracy: mean((r) => r.oursAccuracy),
    perClass,
    runs,
    command: `npx tsx benchmarks/read-back.ts ${process.argv.slice(2).join(' ')}`,
  };
  await writeFile(o.out, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${o.out}`);
}
