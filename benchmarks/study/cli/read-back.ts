/** `otfgen read-back`: a CNN trained on real images (MNIST's, or the `--data`'s) classifies the task's generated images. */
import { readBack, type ReadBackResult } from '../../../src/harness/read-back.js';
import { dataAndParams } from '../../../src/harness/results-file.js';
import type { ArrayDataset } from '../../../src/sources/arrays.js';
import { writeJsonAtomic } from '../../../src/node/writers/atomic-file.js';
import { FASHION_CLASSES } from '../../../src/tasks/fashion/index.js';
import { dataAndParamsArgs, markdownTable, quote, realData, tenClassTask } from './common.js';
import { checkParams } from '../../../src/tasks/generate.js';
import { checkInt } from '../../../src/core/errors.js';
import { readSeedReport, runReportSeeds, seedArgs } from './seed-report.js';

export interface ReadBackCommandOptions {
  readonly task: string;
  readonly steps: number;
  readonly seeds: number;
  /** Run only this seed of 1..seeds (an existing report keeps the other seeds it holds). */
  readonly onlySeed?: number;
  /**
   * Seeds run at once, each in its own Node process running `cliScript` with `--only-seed` (default 1:
   * all in this process). The report is the same whatever the count; only the wall time changes.
   */
  readonly jobs?: number;
  /** The otfgen CLI script the jobs run (main.ts passes its own file). */
  readonly cliScript?: string;
  readonly count: number;
  readonly params?: Record<string, unknown>;
  readonly out: string;
  readonly backend: string;
  /** A folder with the four IDX files of the real data, instead of MNIST. */
  readonly data?: string;
  /**
   * When it aborts, the seed under way is dropped and the command ends having saved the finished
   * ones (exit code 130). Default: a Ctrl-C does that.
   */
  readonly signal?: AbortSignal;
}

export async function readBackCommand(o: ReadBackCommandOptions): Promise<void> {
  const task = tenClassTask(o.task, '<task>', 'read-back reads');
  if (o.params !== undefined) checkParams(task, o.params as Record<string, never>, '--params');
  if (o.onlySeed !== undefined) checkInt('--only-seed', o.onlySeed, 1, o.seeds);
  const seeds = o.onlySeed !== undefined ? [o.onlySeed] : Array.from({ length: o.seeds }, (_, i) => i + 1);
  const head = reportHead(o);
  const saved = await readSeedReport<ReportHead, Run>(o.out, {
    command: 'read-back',
    head,
    settings: settingsOf,
    isRun: (r) => typeof r.accuracy === 'number' && Array.isArray(r.confusion),
  });
  const runs = new Map(saved.runs.map((r) => [r.seed, r]));
  const todo = seeds.filter((s) => !runs.has(s));
  const jobs = Math.min(o.jobs ?? 1, todo.length);
  const names = o.task === 'fashion' ? FASHION_CLASSES : Array.from({ length: 10 }, (_, c) => String(c));
  const seedText = o.onlySeed === undefined ? `seeds 1..${o.seeds}` : `seed ${o.onlySeed} of ${o.seeds}`;
  console.log(
    `read-back of '${o.task}': the reference CNN trained on the real ${o.data === undefined ? 'MNIST' : `images in ${o.data}`} (${o.steps} steps of 64, one-cycle, ${seedText}) classifies ${o.count} generated images`,
  );
  if (todo.length < seeds.length) console.log(`${seeds.length - todo.length} finished seed(s) found in ${o.out}: skipped (another --out runs them again)`);
  // With --jobs the children choose theirs, by the same --backend; the report says the last child's.
  let backend = saved.backend;
  const sorted = () => [...runs.values()].sort((a, b) => a.seed - b.seed);
  // The report is written after every seed (whole or not at all), so a failure or Ctrl-C keeps the seeds that finished.
  const save = () => writeJsonAtomic(o.out, report(o, head, names, sorted(), backend, jobs));
  let train: ArrayDataset, test: ArrayDataset;
  const interrupted = await runReportSeeds<Run>({
    command: 'read-back',
    todo,
    jobs,
    cliScript: o.cliScript,
    backend: o.backend,
    signal: o.signal,
    // Loaded here even when the seeds run in other processes: a bad --data fails once, before any starts.
    prepare: async () => void ([train, test] = await realData(o.data)),
    childArgs: (seed, out) => ['read-back', ...runArgs(o, ['--seeds', String(o.seeds), '--only-seed', String(seed)]), '--backend', o.backend, '--out', out],
    runSeed: async (seed, signal) => {
      let r: ReadBackResult;
      try {
        r = await readBack({ task, params: o.params as never, train, test, steps: o.steps, seed, count: o.count, signal });
      } catch (e) {
        if (signal.aborted) return undefined; // interrupted: the seed under way is dropped
        throw e;
      }
      console.log(`  seed ${seed}: real test accuracy ${r.realTestAccuracy!.toFixed(4)}; generated images read as their class ${r.accuracy.toFixed(4)}`);
      return { seed, realTestAccuracy: r.realTestAccuracy!, accuracy: r.accuracy, confusion: r.confusion };
    },
    add: async (run, runBackend) => {
      runs.set(run.seed, run);
      backend = runBackend;
      await save();
    },
  });
  if (interrupted) return;
  const all = sorted();
  const others = all.filter((r) => !seeds.includes(r.seed)).map((r) => r.seed);
  if (others.length) console.log(`${o.out} also holds seed(s) ${others.join(', ')} of earlier runs: the means cover them too`);
  const r = report(o, head, names, all, backend, jobs);
  console.log(
    `\nmean of ${all.length} seed(s): real test accuracy ${r.meanRealTestAccuracy.toFixed(4)}; generated images read as their class ${r.meanAccuracy.toFixed(4)}\n`,
  );
  console.log(
    markdownTable(
      ['class', 'generated images read as their class', 'most often read as'],
      r.perClass.map((c) => [c.class, `${(100 * c.readAsItself).toFixed(0)}%`, `${c.mostOftenReadAs.class} (${(100 * c.mostOftenReadAs.share).toFixed(0)}%)`]),
    ),
  );
  console.log(todo.length > 0 ? `wrote ${o.out}` : `${o.out}: nothing to run, left as it was`);
}

/** What a seed's run keeps: the CNN's accuracy on the real test images, and how it read the generated ones. */
type Run = { seed: number; realTestAccuracy: number; accuracy: number; confusion: readonly (readonly number[])[] };

/** The settings a report's runs were made with, as it records them. */
function reportHead(o: ReadBackCommandOptions) {
  return {
    task: o.task,
    ...(o.data === undefined ? {} : { data: o.data }),
    steps: o.steps,
    batchSize: 64,
    params: o.params ?? {},
    generated: { count: o.count, seed: 1 },
  };
}

type ReportHead = ReturnType<typeof reportHead>;

/** What a report's runs depend on, each as a phrase for the error that refuses a file made with others. */
function settingsOf(h: Partial<ReportHead>): Record<string, string> {
  return {
    task: `of the task '${h.task}'`,
    steps: `of ${h.steps} steps`,
    count: `reading ${h.generated?.count} generated images`,
    ...dataAndParams({ data: h.data, params: h.params && Object.keys(h.params).length > 0 ? h.params : undefined }),
  };
}

/** The report of `runs` (at least one, in seed order). */
function report(o: ReadBackCommandOptions, head: ReportHead, names: readonly string[], runs: Run[], backend: string, jobs: number) {
  const mean = (f: (r: Run) => number) => +(runs.reduce((a, r) => a + f(r), 0) / runs.length).toFixed(4);
  // Confusions summed over the seeds, as shares of each class's generated images.
  const perClass = names.map((name, c) => {
    const row = names.map((_, p) => runs.reduce((a, r) => a + r.confusion[c][p], 0));
    const n = row.reduce((a, v) => a + v, 0);
    const [other] = row
      .map((v, p) => ({ p, v }))
      .filter((e) => e.p !== c)
      .sort((a, b) => b.v - a.v);
    return { class: name, readAsItself: +(row[c] / n).toFixed(4), mostOftenReadAs: { class: names[other.p], share: +(other.v / n).toFixed(4) } };
  });
  const { generated, ...settings } = head;
  return {
    ...settings,
    backend: backend || o.backend,
    generated,
    meanRealTestAccuracy: mean((r) => r.realTestAccuracy),
    meanAccuracy: mean((r) => r.accuracy),
    perClass,
    runs: runs.map(({ seed, realTestAccuracy, accuracy, confusion }) => ({ seed, realTestAccuracy, accuracy, confusion })),
    command: ['npm run study -- read-back', ...runArgs(o, commandSeeds(runs, o), jobs > 1 ? ['--jobs', String(jobs)] : []).map(quote)].join(' '),
  };
}

/** The seeds part of the report's command; read-back's --only-seed is one of 1..--seeds, so --seeds stays beside it. */
function commandSeeds(runs: readonly Run[], o: ReadBackCommandOptions): string[] {
  const s = seedArgs(runs, o);
  return s[0] === '--only-seed' ? ['--seeds', String(Math.max(o.seeds, Number(s[1]))), ...s] : s;
}

/** The arguments that say what a report holds: the task, steps, seeds (`seeds`), count, data and params, then `extra`. */
function runArgs(o: ReadBackCommandOptions, seeds: string[], extra: string[] = []): string[] {
  return [o.task, '--steps', String(o.steps), ...seeds, ...(o.count === 10_000 ? [] : ['--count', String(o.count)]), ...dataAndParamsArgs(o), ...extra];
}
