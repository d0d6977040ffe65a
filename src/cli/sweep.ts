/** `otfgen sweep`, `otfgen demo` and `otfgen scaling`: warm-up studies on real MNIST (or the `--data`), with tables and plots. */
import { checkSweepConfig, plannedRuns, runSweep, summariseSweep, threshold, writeResultsCsv, writeSweepOutputs, type SweepConfig, type SweepResults } from '../harness/sweep.js';
import { summariseScaling, warmupLabel, writeScalingOutputs } from '../harness/scaling.js';
import { interruptible, markdownTable, paramsPhrase, progressBar, realData, useBackend } from './common.js';

export interface SweepCliOptions extends SweepConfig {
  readonly out: string;
  readonly backend: string;
}

/** Runs (or resumes) a sweep with a progress bar on a terminal and a line per run elsewhere. */
async function runWithProgress(opts: SweepCliOptions): Promise<{ results: SweepResults; interrupted: boolean }> {
  checkSweepConfig(opts); // before the backend and MNIST load, so a bad option fails at once and prints nothing
  // The data before the backend: a bad --data fails before the backend line is printed.
  const [train, test] = await realData(opts.data);
  const sel = await useBackend(opts.backend);
  const runs = plannedRuns(opts).length;
  const sizes = opts.realImages ? `; real images ${opts.realImages.join(', ')}` : '';
  const data = opts.data === undefined ? '' : `; data ${opts.data}`;
  const params = paramsPhrase(opts.tasks, opts.params, 'sweep params');
  console.log(`${runs} runs (${opts.tasks.join(', ')}${params}${data}; shares ${opts.shares.join(', ')}; ${opts.seeds} seed(s)${sizes}; ${opts.totalSteps} steps of ${opts.batchSize}) -> ${opts.out}`);
  const ctl = interruptible();
  const tty = process.stdout.isTTY;
  let bar: ReturnType<typeof progressBar> | null = null;
  let started = false;
  const results = await runSweep(opts, {
    train,
    test,
    outDir: opts.out,
    backend: sel.choice,
    signal: ctl.signal,
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
      if (!tty) console.log(`  ${r.task} share ${r.share} seed ${r.seed}${r.realImages ? ` N ${r.realImages}` : ''}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`);
    },
  });
  (bar as ReturnType<typeof progressBar> | null)?.stop();
  if (ctl.signal.aborted) {
    console.log('interrupted: run the same command again to resume');
    process.exitCode = 130;
  }
  return { results, interrupted: ctl.signal.aborted };
}

export async function sweepCommand(opts: SweepCliOptions): Promise<void> {
  const { results } = await runWithProgress(opts);
  const summary = summariseSweep(results);
  console.log(
    '\n' +
      markdownTable(
        ['warm-up task', 'synthetic share', 'runs', 'final accuracy (mean)', 'min..max', 'final loss', 'wall s'],
        summary.map((s) => [s.task, s.share.toFixed(2), s.runs, s.accuracy.toFixed(4), `${s.accuracyMin.toFixed(3)}..${s.accuracyMax.toFixed(3)}`, s.loss.toFixed(3), s.wallSeconds.toFixed(1)]),
      ),
  );
  for (const task of opts.tasks) {
    const t = threshold(results.rows, task);
    console.log(`threshold (${task}): ${t === null ? 'no baseline run' : `${t.toFixed(2)}, the largest share within 1 point of the 0% baseline`}`);
  }
  if (results.rows.length) console.log(`wrote ${(await writeSweepOutputs(results, opts.out)).join(', ')}`);
}

export async function scalingCommand(opts: SweepCliOptions & { share: number }): Promise<void> {
  const { results, interrupted } = await runWithProgress({ ...opts, shares: [0, opts.share] });
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
        [...byN.entries()].sort((a, b) => a[0] - b[0]).map(([n, e]) => [n, e.without?.toFixed(4) ?? '', e.with?.toFixed(4) ?? '', s.multipliers.find((m) => m.realImages === n)?.multiplier?.toFixed(2) ?? 'beyond the fit'])),
  );
  const f = (x: { a: number; b: number; c: number }) => `${x.a.toFixed(3)} N^-${x.b.toFixed(3)} + ${x.c.toFixed(4)}`;
  console.log(`fit, no warm-up: error = ${f(s.fits.withoutWarmup)}; with warm-up: error = ${f(s.fits.withWarmup)}`);
  console.log(`wrote ${(await writeScalingOutputs(s, opts.out)).join(', ')}`);
}
