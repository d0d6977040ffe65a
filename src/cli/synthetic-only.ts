/** `otfgen synthetic-only`: train on a generated task alone, test on real MNIST. */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mnist } from '../sources/mnist.js';
import { taskByName } from '../tasks/index.js';
import { generate } from '../tasks/generate.js';
import { createModel } from '../harness/models.js';
import { train } from '../harness/train.js';
import { markdownTable, useBackend } from './common.js';

export async function syntheticOnlyCommand(o: { task: string; steps: number; batchSize: number; seed: number; out: string; backend: string }): Promise<void> {
  const task = taskByName(o.task);
  const sel = await useBackend(o.backend);
  const test = await mnist({ split: 'test' });
  console.log(`training the reference CNN on '${o.task}' only: ${o.steps} steps of ${o.batchSize}, one-cycle; testing on the 10,000 real MNIST test images`);
  const r = await train({
    model: createModel({ seed: o.seed }),
    steps: generate(task, { seed: o.seed, batchSize: o.batchSize }),
    totalSteps: o.steps,
    lrSchedule: 'one-cycle',
    evaluation: { data: test, at: [Math.round(o.steps / 4), Math.round(o.steps / 2), Math.round((3 * o.steps) / 4)] },
    onStep: (s) => (s.step + 1) % 500 === 0 && console.log(`  step ${s.step + 1}: loss ${s.loss.toFixed(3)}`),
  });
  const f = r.final!;
  const report = {
    task: o.task,
    steps: o.steps,
    batchSize: o.batchSize,
    seed: o.seed,
    backend: sel.choice,
    realTestAccuracy: f.accuracy,
    perClass: f.perClass.map((v) => +v.toFixed(4)),
    confusion: f.confusion,
    curve: r.evals.map((e) => ({ step: e.step, accuracy: e.accuracy })),
    wallSeconds: +(r.wallMs / 1000).toFixed(1),
    command: `npx otfgen synthetic-only --task ${o.task} --steps ${o.steps} --seed ${o.seed}`,
  };
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(o.out, JSON.stringify(report, null, 2) + '\n');
  console.log(markdownTable(['step', 'real test accuracy'], r.evals.map((e) => [e.step, e.accuracy.toFixed(4)])));
  console.log(`per class: ${f.perClass.map((v, c) => `${c}: ${v.toFixed(2)}`).join(', ')}`);
  console.log(`wrote ${o.out}`);
}
