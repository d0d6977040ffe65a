/** The study's `sweep`, `demo` and `scaling`: warm-up studies over the named sources, on real MNIST (or the `--data`), with tables and plots. */
import { OtfgenArgumentError } from '../../../src/core/errors.js';
import {
  checkSweepConfig,
  missingRuns,
  plannedRuns,
  readSweepResults,
  runSweep,
  writeResultsCsv,
  type SweepConfig,
  type SweepResults,
} from '../../../src/harness/sweep.js';
import { printSweepSummary, writeSweepOutputs } from '../../../src/cli/sweep.js';
import { SOURCES } from '../sources.js';
import { summariseScaling, warmupLabel, writeScalingOutputs } from '../scaling.js';
import { dataAndParamsArgs, interruptibly, markdownTable, paramsPhrase, progressBar, realData, useBackend } from './common.js';
import { resumeSeedsInProcesses } from './seed-processes.js';

export interface SweepCliOptions extends SweepConfig {
  readonly out: string;
  readonly backend: string;
  /**
   * Seeds run at once, each in its own Node process running `cliScript` with `--only-seed`
   * (default 1: all in this process). The same rows whatever the count, in the same order; only the
   * wall time changes.
   */
  readonly jobs?: number;
  /** The otfgen CLI script the jobs run (main.ts passes its own file). */
  readonly cliScript?: string;
  /** Render the charts (SVG and PNG) beside the results files (default true). */
  readonly plots?: boolean;
}

type Config = SweepConfig & { readonly out: string; readonly backend: string };

/** The arguments of a `--jobs` child: this sweep (or scaling run), one seed, results at `out`. */
function childArgs(c: Config, seed: number, out: string): string[] {
  // --no-plots: the child's folder is temporary, and the parent draws the charts of all the seeds.
  const common = [
    '--seeds',
    String(c.seeds),
    '--only-seed',
    String(seed),
    '--steps',
    String(c.totalSteps),
    '--batch-size',
    String(c.batchSize),
    '--blend',
    c.blend ?? 'switch',
    '--out',
    out,
    '--backend',
    c.backend,
    '--no-plots',
  ];
  const data = dataAndParamsArgs(c);
  if (c.realImages) {
    // scaling: one task, the baseline and one share.
    const share = c.shares.find((x) => x > 0) ?? 0;
    return ['scaling', '--task', c.tasks[0], '--share', String(share), '--sizes', c.realImages.join(','), ...common, ...data];
  }
  const lr = [
    ...(c.learningRate === undefined ? [] : ['--lr', String(c.learningRate)]),
    '--lr-schedule',
    c.lrSchedule ?? 'constant',
    ...(c.evalLimit === undefined ? [] : ['--eval-limit', String(c.evalLimit)]),
  ];
  return ['sweep', '--tasks', c.tasks.join(','), '--shares', c.shares.join(','), ...common, ...lr, ...data];
}

/** `--jobs`: the seeds with runs missing, each in a child process that resumes its rows. */
async function runInProcesses(c: Config, jobs: number, cliScript: string | undefined, signal: AbortSignal): Promise<SweepResults> {
  // The children are CLI commands, which have no option for the architecture.
  if (c.architecture !== undefined && c.architecture !== 'reference')
    throw new OtfgenArgumentError('jobs', `the CLI's sweeps train the reference CNN; run the ${c.architecture} CNN's seeds in one process (jobs 1)`);
  const results = await readSweepResults(c.out, c);
  const todo = missingRuns(c, results.rows);
  const skipped = plannedRuns(c).length - todo.length;
  if (skipped) console.log(`${skipped} finished run(s) found in ${c.out}/results.json: skipped`);
  await resumeSeedsInProcesses({
    command: c.realImages ? 'scaling' : 'sweep',
    cliScript,
    seeds: [...new Set(todo.map((p) => p.seed))],
    jobs,
    signal,
    outDir: c.out,
    results,
    args: (seed, out) => childArgs(c, seed, out),
  });
  return results;
}

/** Runs (or resumes) a sweep with a progress bar on a terminal and a line per run elsewhere. */
async function runWithProgress(options: SweepCliOptions): Promise<{ value: SweepResults; interrupted: boolean }> {
  const { jobs: jobsOption, cliScript, plots: _plots, ...opts } = options;
  // Before the backend and MNIST load, so a bad option fails at once and prints nothing; --params is
  // checked apart, so that its errors name the flag the user typed (the harness says 'sweep params').
  checkSweepConfig({ ...opts, params: undefined }, SOURCES);
  const params = paramsPhrase(opts.tasks, opts.params, '--params');
  const jobs = opts.onlySeed === undefined ? Math.min(jobsOption ?? 1, opts.seeds) : 1;
  // The data before the backend: a bad --data fails before the backend line is printed (and before any child starts).
  const [train, test] = await realData(opts.data);
  const sel = jobs > 1 ? null : await useBackend(opts.backend); // with --jobs, the children choose theirs
  const runs = plannedRuns(opts).length;
  const seedText = opts.onlySeed === undefined ? `${opts.seeds} seed(s)` : `seed ${opts.onlySeed} of ${opts.seeds}`;
  const sizes = opts.realImages ? `; real images ${opts.realImages.join(', ')}` : '';
  const data = opts.data === undefined ? '' : `; data ${opts.data}`;
  console.log(
    `${runs} runs (${opts.tasks.join(', ')}${params}${data}; shares ${opts.shares.join(', ')}; ${seedText}${sizes}; ${opts.totalSteps} steps of ${opts.batchSize}) -> ${opts.out}`,
  );
  return interruptibly(async (signal) => {
    if (jobs > 1) return runInProcesses(opts, jobs, cliScript, signal);
    const tty = process.stdout.isTTY;
    let bar: ReturnType<typeof progressBar> | null = null;
    let started = false;
    const results = await runSweep(opts, {
      // The baseline's source as the committed results were made (it gives share-0 runs no batch).
      sources: SOURCES,
      baseline: SOURCES['pixel-count'],
      train,
      test,
      outDir: opts.out,
      backend: sel!.choice,
      signal,
      onProgress: (e) => {
        if (!started) {
          started = true;
          if (e.skipped) console.log(`${e.skipped} finished run(s) found in ${opts.out}/results.json: skipped`);
        }
        if (!tty) return;
        bar ??= progressBar(e.runs * opts.totalSteps, 'runs');
        const n = e.realImages ? ` N ${e.realImages}` : '';
        bar.update(e.run * opts.totalSteps + (e.step ? e.step.step + 1 : 0), { run: `${e.task} share ${e.share} seed ${e.seed}${n}` });
      },
      onRun: (r) => {
        if (!tty)
          console.log(
            `  ${r.task} share ${r.share} seed ${r.seed}${r.realImages ? ` N ${r.realImages}` : ''}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`,
          );
      },
    });
    (bar as ReturnType<typeof progressBar> | null)?.stop();
    return results;
  });
}

/** The demo's sweep (`npm run demo`): what its committed results in benchmarks/results/demo were made with. */
export const DEMO = { tasks: ['pixel-count', 'digits', 'digits-fitted'], shares: [0, 0.3, 0.6, 0.9], seeds: 1, totalSteps: 150, batchSize: 64 } as const;

export async function sweepCommand(opts: SweepCliOptions): Promise<void> {
  const { value: results } = await runWithProgress(opts);
  await printSweepSummary(results, opts.tasks);
  if (results.rows.length) console.log(`wrote ${(await writeSweepOutputs(results, opts.out, { charts: opts.plots !== false })).join(', ')}`);
}

export async function scalingCommand(opts: SweepCliOptions & { share: number }): Promise<void> {
  const { value: results, interrupted } = await runWithProgress({ ...opts, shares: [0, opts.share] });
  await writeResultsCsv(results, opts.out);
  if (interrupted) return;
  const s = await summariseScaling(results, opts.tasks[0], opts.share);
  const byN = new Map<number, { without?: number; with?: number }>();
  for (const p of s.points) {
    const e = byN.get(p.realImages) ?? {};
    if (p.arm === 'no warm-up') e.without = p.error;
    else e.with = p.error;
    byN.set(p.realImages, e);
  }
  console.log(
    '\n' +
      markdownTable(
        ['real images', 'error, no warm-up', `error, ${warmupLabel(opts.tasks[0], opts.share, opts.blend)}`, 'effective data multiplier'],
        [...byN.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([n, e]) => [
            n,
            e.without?.toFixed(4) ?? '',
            e.with?.toFixed(4) ?? '',
            s.multipliers.find((m) => m.realImages === n)?.multiplier?.toFixed(2) ?? 'beyond the fit',
          ]),
      ),
  );
  const f = (x: { a: number; b: number; c: number }) => `${x.a.toFixed(3)} N^-${x.b.toFixed(3)} + ${x.c.toFixed(4)}`;
  console.log(`fit, no warm-up: error = ${f(s.fits.withoutWarmup)}; with warm-up: error = ${f(s.fits.withWarmup)}`);
  console.log(`wrote ${(await writeScalingOutputs(s, opts.out, { charts: opts.plots !== false })).join(', ')}`);
}
