/** `otfgen synthetic-only`: train on a generated task alone, test on real MNIST (or the `--data`). */
import { mnist } from '../../../src/node/files/mnist.js';
import { taskByName } from '../../../src/tasks/index.js';
import { checkParams, generate } from '../../../src/tasks/generate.js';
import { createModel, type Architecture, type HarnessModel } from '../../../src/harness/models.js';
import { train } from '../../../src/harness/train.js';
import { logitsTarget, teacherLogits } from '../../../src/harness/distil.js';
import { markdownTable, quote, tenClassTask } from './common.js';
import { OtfgenArgumentError } from '../../../src/core/errors.js';
import { dataAndParams } from '../../../src/harness/results-file.js';
import { writeJsonAtomic } from '../../../src/node/writers/atomic-file.js';
import { readSeedReport, runReportSeeds, seedArgs } from './seed-report.js';

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
  /**
   * When it aborts, the seed under way is dropped and the command ends having saved the finished
   * ones (exit code 130). Default: a Ctrl-C does that.
   */
  readonly signal?: AbortSignal;
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
  const o: Resolved = {
    ...options,
    architecture: options.architecture ?? 'reference',
    teacherSteps: options.teacherSteps ?? 3000,
    teachers: options.teachers ?? 1,
  };
  const task = tenClassTask(o.task, '--task', 'synthetic-only tests on');
  if (o.temperature !== undefined && !o.teacher)
    throw new OtfgenArgumentError('--temperature', 'the temperature is that of distillation: pass --teacher too, or leave --temperature out');
  // Checks --params against the task's declared ranges here, before any process or model starts.
  if (o.params !== undefined) checkParams(task, o.params as Record<string, never>, '--params');
  const seeds = o.onlySeed !== undefined ? [o.onlySeed] : Array.from({ length: o.seeds }, (_, i) => i + 1);
  const head = reportHead(o);
  const saved = await readSeedReport<ReportHead, Run>(o.out, {
    command: 'synthetic-only',
    head,
    settings: settingsOf,
    isRun: (r) => typeof r.realTestAccuracy === 'number' && Array.isArray(r.perClass),
  });
  const runs = new Map(saved.runs.map((r) => [r.seed, r]));
  const todo = seeds.filter((s) => !runs.has(s));
  const jobs = Math.min(o.jobs ?? 1, todo.length);
  const seedText = o.onlySeed !== undefined ? `seed ${o.onlySeed}` : `seeds 1..${o.seeds}`;
  console.log(
    `training the ${o.architecture} CNN on '${o.task}' only: ${o.steps} steps of ${o.batchSize}, one-cycle, ${seedText}; testing on the real ${o.data === undefined ? 'MNIST test images' : `test images in ${o.data}`}`,
  );
  if (o.teacher)
    console.log(
      `distilling: ${o.teachers} ${o.teacher} teacher(s) of ${o.teacherSteps} steps per seed on '${o.task}'; the classifier learns their mean logits on fresh samples${o.temperature === undefined ? ' (mean squared error)' : ` (softened cross-entropy, temperature ${o.temperature})`}`,
    );
  if (todo.length < seeds.length) console.log(`${seeds.length - todo.length} finished seed(s) found in ${o.out}: skipped (another --out trains them again)`);
  let backend = saved.backend;
  // The report is written after every seed (whole or not at all), so a failure or Ctrl-C keeps the seeds that finished.
  const save = () =>
    writeJsonAtomic(
      o.out,
      report(
        o,
        head,
        [...runs.values()].sort((a, b) => a.seed - b.seed),
        backend,
        jobs,
      ),
    );
  let test: Awaited<ReturnType<typeof mnist>>;
  const interrupted = await runReportSeeds<Run>({
    command: 'synthetic-only',
    todo,
    jobs,
    cliScript: o.cliScript,
    backend: o.backend,
    signal: o.signal,
    // Loaded here even when the seeds run in other processes: a bad --data fails once, before any starts.
    prepare: async () => void (test = await mnist({ split: 'test', dir: o.data })),
    childArgs: (seed, out) => ['synthetic-only', ...runArgs(o, ['--only-seed', String(seed)], ['--out', out, '--backend', o.backend])],
    runSeed: (seed, signal) => trainSeed(o, task, test, seed, signal),
    add: async (run, runBackend) => {
      runs.set(run.seed, run);
      backend = runBackend;
      await save();
    },
  });
  if (interrupted) return;
  const all = [...runs.values()].sort((a, b) => a.seed - b.seed);
  const others = all.filter((r) => !seeds.includes(r.seed)).map((r) => r.seed);
  if (others.length) console.log(`${o.out} also holds seed(s) ${others.join(', ')} of earlier runs: the mean covers them too`);
  const r = report(o, head, all, backend, jobs);
  console.log(
    markdownTable(
      ['seed', 'real test accuracy'],
      [...all.map((run) => [run.seed, run.realTestAccuracy.toFixed(4)]), ['mean', r.meanRealTestAccuracy.toFixed(4)]],
    ),
  );
  console.log(`per class (mean): ${r.meanPerClass.map((v, c) => `${c}: ${v.toFixed(2)}`).join(', ')}`);
  console.log(todo.length > 0 ? `wrote ${o.out}` : `${o.out}: nothing to train, left as it was`);
}

/** The settings a report's runs were made with, as it records them. */
function reportHead(o: Resolved) {
  return {
    task: o.task,
    steps: o.steps,
    batchSize: o.batchSize,
    params: o.params ?? {},
    architecture: o.architecture,
    ...(o.data === undefined ? {} : { data: o.data }),
    ...(o.teacher
      ? {
          teacher: {
            architecture: o.teacher,
            steps: o.teacherSteps,
            count: o.teachers,
            ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
          },
        }
      : {}),
  };
}

type ReportHead = ReturnType<typeof reportHead>;

/** The report of `runs` (at least one, in seed order). */
function report(o: Resolved, head: ReportHead, runs: Run[], backend: string, jobs: number) {
  const mean = runs.reduce((a, r) => a + r.realTestAccuracy, 0) / runs.length;
  return {
    ...head,
    backend,
    ...(jobs > 1 ? { jobs } : {}),
    meanRealTestAccuracy: +mean.toFixed(4),
    minRealTestAccuracy: Math.min(...runs.map((r) => r.realTestAccuracy)),
    maxRealTestAccuracy: Math.max(...runs.map((r) => r.realTestAccuracy)),
    meanPerClass: runs[0].perClass.map((_, c) => +(runs.reduce((a, r) => a + r.perClass[c], 0) / runs.length).toFixed(4)),
    runs,
    command: ['npm run study -- synthetic-only', ...runArgs(o, seedArgs(runs, o), jobs > 1 ? ['--jobs', String(jobs)] : []).map(quote)].join(' '),
  };
}

/**
 * What a report's runs depend on, each as a phrase for the error that refuses
 * a file made with others (defaults filled in: reports from before a field was
 * recorded had its default).
 */
function settingsOf(
  h: Partial<ReportHead> & { data?: string; teacher?: { architecture: string; steps: number; count: number; temperature?: number } },
): Record<string, string> {
  const t = h.teacher;
  return {
    task: `of the task '${h.task}'`,
    steps: `of ${h.steps} steps`,
    batchSize: `of batches of ${h.batchSize}`,
    architecture: `of the ${h.architecture ?? 'reference'} CNN`,
    teacher: t
      ? `distilled from ${t.count} ${t.architecture} teacher(s) of ${t.steps} steps (${t.temperature === undefined ? 'mean squared error' : `temperature ${t.temperature}`})`
      : 'without teachers',
    ...dataAndParams({ data: h.data, params: h.params && Object.keys(h.params).length > 0 ? h.params : undefined }),
  };
}

/** One seed: the teachers (when distilling), then the classifier; every model is disposed, even on failure. */
async function trainSeed(
  o: Resolved,
  task: ReturnType<typeof taskByName>,
  test: Awaited<ReturnType<typeof mnist>>,
  seed: number,
  signal: AbortSignal,
): Promise<Run | undefined> {
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
      const r = await train({
        model: teacher,
        steps: generate(task, { seed: teacherSeed, batchSize: o.batchSize, params }),
        totalSteps: o.teacherSteps,
        lrSchedule: 'one-cycle',
        evaluation: { data: test },
        signal,
      });
      if (r.interrupted) return undefined;
      teacherAccuracy.push(r.final!.accuracy);
      teacherMs += r.wallMs;
      console.log(
        `  seed ${seed}, teacher ${t + 1} (seed ${teacherSeed}): real test accuracy ${r.final!.accuracy.toFixed(4)} (${(r.wallMs / 1000).toFixed(0)} s)`,
      );
    }
    model = createModel({ seed, architecture: o.architecture });
    const head = o.teacher ? logitsTarget(10) : undefined;
    const r = await train({
      model,
      // A student sees other samples than its teachers did (seed + 100).
      steps: o.teacher
        ? generate(task, { seed: seed + 100, batchSize: o.batchSize, params }).pipe(teacherLogits(teachers, { temperature: o.temperature }))
        : generate(task, { seed, batchSize: o.batchSize, params }),
      totalSteps: o.steps,
      lrSchedule: 'one-cycle',
      evaluation: { data: test, at: [Math.round(o.steps / 4), Math.round(o.steps / 2), Math.round((3 * o.steps) / 4)], head },
      signal,
    });
    if (r.interrupted) return undefined;
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
    '--task',
    o.task,
    '--steps',
    String(o.steps),
    ...seeds,
    ...(o.architecture === 'reference' ? [] : ['--architecture', o.architecture]),
    ...(o.teacher ? ['--teacher', o.teacher, '--teacher-steps', String(o.teacherSteps), '--teachers', String(o.teachers)] : []),
    ...(o.temperature === undefined ? [] : ['--temperature', String(o.temperature)]),
    ...(o.batchSize === 64 ? [] : ['--batch-size', String(o.batchSize)]),
    ...(o.data === undefined ? [] : ['--data', o.data]),
    ...extra,
    ...(o.params ? ['--params', JSON.stringify(o.params)] : []),
  ];
}
