/** `otfgen one-shot`: one real image per class (of MNIST, or of the `--data`); random warps against learned and adaptive ones. */
import {
  checkOneShotConfig,
  missingOneShotRuns,
  ofOneShotConfig,
  readOneShotResults,
  runOneShot,
  summariseOneShot,
  writeOneShotOutputs,
  type OneShotConfig,
  type OneShotResults,
} from '../one-shot.js';
import { dataAndParamsArgs, interruptibly, markdownTable, paramsPhrase, realData, useBackend } from './common.js';
import { resumeSeedsInProcesses } from './seed-processes.js';

export interface OneShotCommandOptions extends OneShotConfig {
  readonly out: string;
  readonly backend: string;
  /**
   * Seeds trained at once, each in its own Node process running `cliScript` with `--only-seed`
   * (default 1: all in this process). Same results whatever the count; only the wall time changes.
   */
  readonly jobs?: number;
  /** The otfgen CLI script the jobs run (main.ts passes its own file). */
  readonly cliScript?: string;
  /** Render the charts (SVG and PNG) beside results.json (default true). */
  readonly plots?: boolean;
}

export async function oneShotCommand(options: OneShotCommandOptions): Promise<void> {
  const { jobs: jobsOption, cliScript, plots = true, ...config } = options;
  const o: OneShotConfig & { out: string; backend: string } = config;
  // --params apart, so that its errors name the flag the user typed (the harness says 'one-shot params').
  const seeds = checkOneShotConfig({ ...o, params: undefined });
  const jobs = Math.min(jobsOption ?? 1, seeds.length);
  const seedText = o.onlySeed !== undefined ? `seed ${o.onlySeed}` : `seeds 1..${o.seeds}`;
  const params = paramsPhrase(o.methods, o.params, '--params');
  console.log(
    `one-shot ${o.data === undefined ? 'MNIST' : `on ${o.data}`}: ${o.perClass ?? 1} real image(s) per class; ${o.methods.join(', ')}${params}; ${seedText}; ${o.steps} steps of ${o.batchSize} -> ${o.out}`,
  );
  // Loaded here even when the seeds run in other processes: a bad --data fails once, before any starts.
  const [train, test] = await realData(o.data);
  const skipped = (n: number) => {
    if (n) console.log(`${n} finished run(s) found in ${o.out}/results.json: skipped`);
  };
  let backend = '';
  const { value: results, interrupted } = await interruptibly(async (signal): Promise<OneShotResults> => {
    if (jobs > 1) {
      const results = await readOneShotResults(o.out, o);
      const todo = missingOneShotRuns(o, results.rows);
      skipped(seeds.length * o.methods.length - todo.length);
      await resumeSeedsInProcesses({
        command: 'one-shot',
        cliScript,
        seeds: [...new Set(todo.map((p) => p.seed))],
        jobs,
        signal,
        outDir: o.out,
        results,
        args: (seed, out) => childArgs(o, seed, out),
      });
      return results;
    }
    backend = (await useBackend(o.backend)).choice;
    return runOneShot(o, {
      train,
      test,
      outDir: o.out,
      signal,
      onStart: skipped,
      onRun: (r) => console.log(`  ${r.method} seed ${r.seed}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`),
    });
  });
  if (interrupted) return;
  const mine = ofOneShotConfig(results);
  const summary = summariseOneShot(mine);
  const paired = o.baseline === undefined ? [] : [`minus ${o.baseline}, seed by seed (mean ± standard error)`];
  const rows = summary.map((s) => {
    const d = s.vsBaseline;
    const se = d && d.seeds > 1 ? ` ± ${(100 * d.standardError).toFixed(1)}` : '';
    const diff = d ? [s.method === o.baseline ? '' : `${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(1)}${se} points`] : [];
    return [s.method, s.runs, s.accuracy.toFixed(4), `${s.min.toFixed(3)}..${s.max.toFixed(3)}`, ...diff];
  });
  console.log('\n' + markdownTable(['method', 'runs', 'real-test accuracy (mean)', 'min..max', ...paired], rows));
  if (plots) for (const p of await writeOneShotOutputs(mine, o.out)) console.log(`wrote ${p}`);
  if (backend) console.log(`backend: ${backend}`);
}

/** The arguments of a `--jobs` child: this run, one seed, results at `out`. */
function childArgs(o: OneShotConfig & { out: string; backend: string }, seed: number, out: string): string[] {
  return [
    'one-shot',
    '--methods',
    o.methods.join(','),
    '--seeds',
    String(o.seeds),
    '--steps',
    String(o.steps),
    '--batch-size',
    String(o.batchSize),
    '--per-class',
    String(o.perClass ?? 1),
    '--only-seed',
    String(seed),
    '--out',
    out,
    '--backend',
    o.backend,
    '--no-plots', // the parent draws the charts of all the seeds
    ...dataAndParamsArgs(o),
  ];
}
