/** `otfgen synthetic-only`: train on a generated task alone, test on real MNIST (or the `--data`). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mnist } from '../sources/mnist.js';
import { taskByName } from '../tasks/index.js';
import { generate } from '../tasks/generate.js';
import { createModel, type Architecture, type HarnessModel } from '../harness/models.js';
import { train } from '../harness/train.js';
import { logitsTarget, teacherLogits } from '../harness/distil.js';
import { markdownTable, quote, useBackend } from './common.js';
import { OtfgenArgumentError } from '../errors.js';
import { runLines, runSeedsInProcesses } from './seed-processes.js';

export interface SyntheticOnlyOptions {
  readonly task: string;
  readonly steps: number;
  readonly batchSize: number;
  /** Seeds 1..seeds. */
  readonly seeds: number;
  /** Run only this seed (the JSON holds that one run); `seeds` is then ignored. */
  readonly onlySeed?: number;
  /**
   * Seeds trained at once, each in its own Node process running `cliScript` with `--only-seed`
   * (default 1: all in this process). Same results whatever the count; only the wall time changes.
   */
  readonly jobs?: number;
  /** The otfgen CLI script the jobs run (main.ts passes its own file). */
  readonly cliScript?: string;
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
  /** Distil by softened cross-entropy at this temperature instead of the logits' mean squared error (see `logitsTarget`). */
  readonly temperature?: number;
  /** A folder with the four IDX files of the real data to test on (e.g. Fashion-MNIST's), instead of MNIST. */
  readonly data?: string;
}

/** The options with their defaults filled in, once, for every seed and child process. */
type Resolved = SyntheticOnlyOptions & Required<Pick<SyntheticOnlyOptions, 'architecture' | 'teacherSteps' | 'teachers'>>;

type Run = {
  seed: number;
  realTestAccuracy: number;
  perClass: number[];
  confusion: readonly (readonly number[])[];
  curve: { step: number; accuracy: number }[];
  wallSeconds: number;
  teacherRealTestAccuracy?: number[];
};

export async function syntheticOnlyCommand(options: SyntheticOnlyOptions): Promise<void> {
  const o: Resolved = { ...options, architecture: options.architecture ?? 'reference', teacherSteps: options.teacherSteps ?? 3000, teachers: options.teachers ?? 1 };
  const task = taskByName(o.task);
  if (task.target.kind !== 'class' || task.target.classes !== 10) {
    throw new OtfgenArgumentError('--task', `synthetic-only tests on 10 classes (MNIST's digits, or the --data's): expected a task with 10 classes, such as digits or fashion, got '${o.task}'`);
  }
  if (o.temperature !== undefined && !o.teacher) throw new OtfgenArgumentError('--temperature', 'the temperature is that of distillation: pass --teacher too, or leave --temperature out');
  // Checks --params against the task's declared ranges here, before any process or model starts.
  generate(task, { batchSize: o.batchSize, params: o.params as Record<string, never> | undefined });
  const seeds = o.onlySeed !== undefined ? [o.onlySeed] : Array.from({ length: o.seeds }, (_, i) => i + 1);
  const jobs = Math.min(o.jobs ?? 1, seeds.length);
  const { architecture, teacherSteps, teachers: teacherCount } = o;
  const seedText = o.onlySeed !== undefined ? `seed ${o.onlySeed}` : `seeds 1..${o.seeds}`;
  console.log(`training the ${architecture} CNN on '${o.task}' only: ${o.steps} steps of ${o.batchSize}, one-cycle, ${seedText}; testing on the real ${o.data === undefined ? 'MNIST test images' : `test images in ${o.data}`}`);
  if (o.teacher) console.log(`distilling: ${teacherCount} ${o.teacher} teacher(s) of ${teacherSteps} steps per seed on '${o.task}'; the classifier learns their mean logits on fresh samples${o.temperature === undefined ? ' (mean squared error)' : ` (softened cross-entropy, temperature ${o.temperature})`}`);
  // Loaded here even when the seeds run in other processes: a bad --data fails once, before any starts.
  const test = await mnist({ split: 'test', dir: o.data });
  let runs: Run[];
  let backend: string;
  if (jobs > 1) {
    ({ runs, backend } = await runInProcesses(o, seeds, jobs));
  } else {
    backend = (await useBackend(o.backend)).choice;
    runs = [];
    for (const seed of seeds) runs.push(await trainSeed(o, task, test, seed));
  }
  const mean = runs.reduce((a, r) => a + r.realTestAccuracy, 0) / runs.length;
  const perClass = runs[0].perClass.map((_, c) => +(runs.reduce((a, r) => a + r.perClass[c], 0) / runs.length).toFixed(4));
  const report = {
    task: o.task,
    steps: o.steps,
    batchSize: o.batchSize,
    params: o.params ?? {},
    backend,
    architecture,
    ...(o.data === undefined ? {} : { data: o.data }),
    ...(o.teacher ? { teacher: { architecture: o.teacher, steps: teacherSteps, count: teacherCount, ...(o.temperature === undefined ? {} : { temperature: o.temperature }) } } : {}),
    ...(jobs > 1 ? { jobs } : {}),
    meanRealTestAccuracy: +mean.toFixed(4),
    minRealTestAccuracy: Math.min(...runs.map((r) => r.realTestAccuracy)),
    maxRealTestAccuracy: Math.max(...runs.map((r) => r.realTestAccuracy)),
    meanPerClass: perClass,
    runs,
    command: ['npx otfgen synthetic-only', ...runArgs(o, o.onlySeed !== undefined ? ['--only-seed', String(o.onlySeed)] : ['--seeds', String(o.seeds)], jobs > 1 ? ['--jobs', String(jobs)] : []).map(quote)].join(' '),
  };
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(o.out, JSON.stringify(report, null, 2) + '\n');
  console.log(markdownTable(['seed', 'real test accuracy'], [...runs.map((r) => [r.seed, r.realTestAccuracy.toFixed(4)]), ['mean', mean.toFixed(4)]]));
  console.log(`per class (mean): ${perClass.map((v, c) => `${c}: ${v.toFixed(2)}`).join(', ')}`);
  console.log(`wrote ${o.out}`);
}

/** One seed: the teachers (when distilling), then the classifier; every model is disposed, even on failure. */
async function trainSeed(o: Resolved, task: ReturnType<typeof taskByName>, test: Awaited<ReturnType<typeof mnist>>, seed: number): Promise<Run> {
  const params = o.params as Record<string, never> | undefined;
  const teachers: HarnessModel[] = [];
  let model: HarnessModel | undefined;
  const teacherAccuracy: number[] = [];
  let teacherMs = 0;
  try {
    for (let t = 0; o.teacher && t < o.teachers; t++) {
      const teacherSeed = seed + 1000 * t;
      const teacher = createModel({ seed: teacherSeed, architecture: o.teacher });
      teachers.push(teacher);
      const r = await train({ model: teacher, steps: generate(task, { seed: teacherSeed, batchSize: o.batchSize, params }), totalSteps: o.teacherSteps, lrSchedule: 'one-cycle', evaluation: { data: test } });
      teacherAccuracy.push(r.final!.accuracy);
      teacherMs += r.wallMs;
      console.log(`  seed ${seed}, teacher ${t + 1} (seed ${teacherSeed}): real test accuracy ${r.final!.accuracy.toFixed(4)} (${(r.wallMs / 1000).toFixed(0)} s)`);
    }
    model = createModel({ seed, architecture: o.architecture });
    const head = o.teacher ? logitsTarget(10) : undefined;
    const r = await train({
      model,
      // A student sees other samples than its teachers did (seed + 100).
      steps: o.teacher ? generate(task, { seed: seed + 100, batchSize: o.batchSize, params }).pipe(teacherLogits(teachers, { temperature: o.temperature })) : generate(task, { seed, batchSize: o.batchSize, params }),
      totalSteps: o.steps,
      lrSchedule: 'one-cycle',
      evaluation: { data: test, at: [Math.round(o.steps / 4), Math.round(o.steps / 2), Math.round((3 * o.steps) / 4)], head },
    });
    const f = r.final!;
    console.log(`  seed ${seed}: real test accuracy ${f.accuracy.toFixed(4)} (${(r.wallMs / 1000).toFixed(0)} s)`);
    return {
      seed,
      realTestAccuracy: f.accuracy,
      perClass: f.perClass.map((v) => +v.toFixed(4)),
      confusion: f.confusion,
      curve: r.evals.map((e) => ({ step: e.step, accuracy: e.accuracy })),
      wallSeconds: +((r.wallMs + teacherMs) / 1000).toFixed(1),
      ...(o.teacher ? { teacherRealTestAccuracy: teacherAccuracy } : {}),
    };
  } finally {
    for (const m of [...teachers, model]) m?.dispose();
  }
}

/**
 * The options that decide a run, as CLI arguments (defaults left out), with `seeds` and `extra`
 * in their places. The report's command and each `--jobs` child's arguments both come from here,
 * so a new option added here reaches both.
 */
function runArgs(o: Resolved, seeds: string[], extra: string[]): string[] {
  return [
    '--task', o.task, '--steps', String(o.steps), ...seeds,
    ...(o.architecture === 'reference' ? [] : ['--architecture', o.architecture]),
    ...(o.teacher ? ['--teacher', o.teacher, '--teacher-steps', String(o.teacherSteps), '--teachers', String(o.teachers)] : []),
    ...(o.temperature === undefined ? [] : ['--temperature', String(o.temperature)]),
    ...(o.batchSize === 64 ? [] : ['--batch-size', String(o.batchSize)]),
    ...(o.data === undefined ? [] : ['--data', o.data]),
    ...extra,
    ...(o.params ? ['--params', JSON.stringify(o.params)] : []),
  ];
}

/** `--jobs n`: each seed runs as `otfgen synthetic-only --only-seed s` in its own process; their one-run JSONs are merged in seed order. */
async function runInProcesses(o: Resolved, seeds: number[], jobs: number): Promise<{ runs: Run[]; backend: string }> {
  const reports = await runSeedsInProcesses({
    command: 'synthetic-only',
    cliScript: o.cliScript,
    seeds,
    jobs,
    args: (seed, out) => ['synthetic-only', ...runArgs(o, ['--only-seed', String(seed)], ['--out', out, '--backend', o.backend])],
    read: async (out) => JSON.parse(await readFile(out, 'utf8')) as { backend: string; runs: Run[] },
    show: runLines,
  });
  return { runs: reports.map((r) => r.runs[0]), backend: reports[0].backend };
}
