/** `otfgen one-shot`: one real image per class (of MNIST, or of the `--data`); random warps against learned and adaptive ones. */
import {
  checkOneShotConfig,
  loadOneShotResults,
  runOneShot,
  saveOneShotResults,
  summariseOneShot,
  writeOneShotOutputs,
  type OneShotConfig,
  type OneShotResults,
  type OneShotRow,
} from '../harness/one-shot.js';
import { markdownTable, paramsPhrase, realData, useBackend } from './common.js';
import { runLines, runSeedsInProcesses } from './seed-processes.js';

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
}

export async function oneShotCommand(options: OneShotCommandOptions): Promise<void> {
  const { jobs: jobsOption, cliScript, ...config } = options;
  const o: OneShotConfig & { out: string; backend: string } = config;
  const seeds = checkOneShotConfig(o);
  const jobs = Math.min(jobsOption ?? 1, seeds.length);
  const seedText = o.onlySeed !== undefined ? `seed ${o.onlySeed}` : `seeds 1..${o.seeds}`;
  const params = paramsPhrase(o.methods, o.params, 'one-shot params');
  console.log(`one-shot ${o.data === undefined ? 'MNIST' : `on ${o.data}`}: ${o.perClass ?? 1} real image(s) per class; ${o.methods.join(', ')}${params}; ${seedText}; ${o.steps} steps of ${o.batchSize} -> ${o.out}`);
  // Loaded here even when the seeds run in other processes: a bad --data fails once, before any starts.
  const [train, test] = await realData(o.data);
  let results: OneShotResults;
  let backend = '';
  if (jobs > 1) {
    results = await runInProcesses(o, seeds, jobs, cliScript);
    await saveOneShotResults(results, o.out);
  } else {
    backend = (await useBackend(o.backend)).choice;
    results = await runOneShot(o, {
      train,
      test,
      outDir: o.out,
      onRun: (r) => console.log(`  ${r.method} seed ${r.seed}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`),
    });
  }
  const summary = summariseOneShot(results);
  const paired = o.baseline === undefined ? [] : [`minus ${o.baseline}, seed by seed (mean ± standard error)`];
  const rows = summary.map((s) => {
    const d = s.vsBaseline;
    const se = d && d.seeds > 1 ? ` ± ${(100 * d.standardError).toFixed(1)}` : '';
    const diff = d ? [s.method === o.baseline ? '' : `${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(1)}${se} points`] : [];
    return [s.method, s.runs, s.accuracy.toFixed(4), `${s.min.toFixed(3)}..${s.max.toFixed(3)}`, ...diff];
  });
  console.log('\n' + markdownTable(['method', 'runs', 'real-test accuracy (mean)', 'min..max', ...paired], rows));
  for (const p of await writeOneShotOutputs(results, o.out)) console.log(`wrote ${p}`);
  if (backend) console.log(`backend: ${backend}`);
}

/** `--jobs n`: each seed runs as `otfgen one-shot --only-seed s` in its own process; their rows are merged by seed, in the order one process runs them. */
async function runInProcesses(o: OneShotConfig & { out: string; backend: string }, seeds: number[], jobs: number, cliScript: string | undefined): Promise<OneShotResults> {
  const perSeed = await runSeedsInProcesses({
    command: 'one-shot',
    cliScript,
    seeds,
    jobs,
    args: (seed, out) => [
      'one-shot', '--methods', o.methods.join(','), '--steps', String(o.steps), '--batch-size', String(o.batchSize), '--per-class', String(o.perClass ?? 1),
      '--only-seed', String(seed), '--out', out, '--backend', o.backend,
      ...(o.data === undefined ? [] : ['--data', o.data]),
      ...(o.params === undefined ? [] : ['--params', JSON.stringify(o.params)]),
    ],
    read: async (out) => (await loadOneShotResults(out)).rows,
    show: runLines,
  });
  const rows: OneShotRow[] = perSeed.flat();
  return { config: o, rows };
}
