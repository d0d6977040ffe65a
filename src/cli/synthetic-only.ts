/** `otfgen synthetic-only`: train on a generated task alone, test on real MNIST. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mnist } from '../sources/mnist.js';
import { taskByName } from '../tasks/index.js';
import { generate } from '../tasks/generate.js';
import { createModel, type Architecture, type HarnessModel } from '../harness/models.js';
import { train } from '../harness/train.js';
import { logitsTarget, teacherLogits } from '../harness/distil.js';
import { markdownTable, useBackend } from './common.js';
import { OtfgenArgumentError } from '../errors.js';

export interface SyntheticOnlyOptions {
  readonly task: string;
  readonly steps: number;
  readonly batchSize: number;
  /** Seeds 1..seeds. */
  readonly seeds: number;
  readonly out: string;
  readonly backend: string;
  readonly params?: Record<string, unknown>;
  /** The classifier: 'reference' (default) or 'wide' (see createModel). */
  readonly architecture?: Architecture;
  /** Distil: train `teachers` CNNs of this architecture on the task first; the classifier then learns their mean logits. */
  readonly teacher?: Architecture;
  /** Steps of each teacher (default 3000). */
  readonly teacherSteps?: number;
  /** Teachers per seed, on seeds seed, seed + 1000, ... (default 1). */
  readonly teachers?: number;
}

export async function syntheticOnlyCommand(o: SyntheticOnlyOptions): Promise<void> {
  const task = taskByName(o.task);
  if (task.target.kind !== 'class' || task.target.classes !== 10) {
    throw new OtfgenArgumentError('--task', `synthetic-only tests on the 10 MNIST digit classes: expected a task with 10 classes, such as digits, got '${o.task}'`);
  }
  const sel = await useBackend(o.backend);
  const architecture = o.architecture ?? 'reference';
  const test = await mnist({ split: 'test' });
  console.log(`training the ${architecture} CNN on '${o.task}' only: ${o.steps} steps of ${o.batchSize}, one-cycle, seeds 1..${o.seeds}; testing on the 10,000 real MNIST test images`);
  const teacherSteps = o.teacherSteps ?? 3000;
  const teacherCount = o.teachers ?? 1;
  if (o.teacher) console.log(`distilling: ${teacherCount} ${o.teacher} teacher(s) of ${teacherSteps} steps per seed on '${o.task}'; the classifier learns their mean logits on fresh samples`);
  const params = o.params as Record<string, never> | undefined;
  type Run = { seed: number; realTestAccuracy: number; perClass: number[]; confusion: readonly (readonly number[])[]; curve: { step: number; accuracy: number }[]; wallSeconds: number; teacherRealTestAccuracy?: number[] };
  const runs: Run[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const teachers: HarnessModel[] = [];
    let model: HarnessModel | undefined;
    const teacherAccuracy: number[] = [];
    let teacherMs = 0;
    try {
      for (let t = 0; o.teacher && t < teacherCount; t++) {
        const teacherSeed = seed + 1000 * t;
        const teacher = createModel({ seed: teacherSeed, architecture: o.teacher });
        teachers.push(teacher);
        const r = await train({ model: teacher, steps: generate(task, { seed: teacherSeed, batchSize: o.batchSize, params }), totalSteps: teacherSteps, lrSchedule: 'one-cycle', evaluation: { data: test } });
        teacherAccuracy.push(r.final!.accuracy);
        teacherMs += r.wallMs;
        console.log(`  seed ${seed}, teacher ${t + 1} (seed ${teacherSeed}): real test accuracy ${r.final!.accuracy.toFixed(4)} (${(r.wallMs / 1000).toFixed(0)} s)`);
      }
      model = createModel({ seed, architecture });
      const head = o.teacher ? logitsTarget(10) : undefined;
      const r = await train({
        model,
        // A student sees other samples than its teachers did (seed + 100).
        steps: o.teacher ? generate(task, { seed: seed + 100, batchSize: o.batchSize, params }).pipe(teacherLogits(teachers)) : generate(task, { seed, batchSize: o.batchSize, params }),
        totalSteps: o.steps,
        lrSchedule: 'one-cycle',
        evaluation: { data: test, at: [Math.round(o.steps / 4), Math.round(o.steps / 2), Math.round((3 * o.steps) / 4)], head },
      });
      const f = r.final!;
      console.log(`  seed ${seed}: real test accuracy ${f.accuracy.toFixed(4)} (${(r.wallMs / 1000).toFixed(0)} s)`);
      runs.push({
        seed,
        realTestAccuracy: f.accuracy,
        perClass: f.perClass.map((v) => +v.toFixed(4)),
        confusion: f.confusion,
        curve: r.evals.map((e) => ({ step: e.step, accuracy: e.accuracy })),
        wallSeconds: +((r.wallMs + teacherMs) / 1000).toFixed(1),
        ...(o.teacher ? { teacherRealTestAccuracy: teacherAccuracy } : {}),
      });
    } finally {
      for (const m of [...teachers, model]) m?.dispose();
    }
  }
  const mean = runs.reduce((a, r) => a + r.realTestAccuracy, 0) / runs.length;
  const perClass = runs[0].perClass.map((_, c) => +(runs.reduce((a, r) => a + r.perClass[c], 0) / runs.length).toFixed(4));
  const report = {
    task: o.task,
    steps: o.steps,
    batchSize: o.batchSize,
    params: o.params ?? {},
    backend: sel.choice,
    architecture,
    ...(o.teacher ? { teacher: { architecture: o.teacher, steps: teacherSteps, count: teacherCount } } : {}),
    meanRealTestAccuracy: +mean.toFixed(4),
    minRealTestAccuracy: Math.min(...runs.map((r) => r.realTestAccuracy)),
    maxRealTestAccuracy: Math.max(...runs.map((r) => r.realTestAccuracy)),
    meanPerClass: perClass,
    runs,
    command: `npx otfgen synthetic-only --task ${o.task} --steps ${o.steps} --seeds ${o.seeds}${architecture === 'reference' ? '' : ` --architecture ${architecture}`}${o.teacher ? ` --teacher ${o.teacher} --teacher-steps ${teacherSteps} --teachers ${teacherCount}` : ''}${o.batchSize === 64 ? '' : ` --batch-size ${o.batchSize}`}${o.params ? ` --params '${JSON.stringify(o.params)}'` : ''}`,
  };
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(o.out, JSON.stringify(report, null, 2) + '\n');
  console.log(markdownTable(['seed', 'real test accuracy'], [...runs.map((r) => [r.seed, r.realTestAccuracy.toFixed(4)]), ['mean', mean.toFixed(4)]]));
  console.log(`per class (mean): ${perClass.map((v, c) => `${c}: ${v.toFixed(2)}`).join(', ')}`);
  console.log(`wrote ${o.out}`);
}
