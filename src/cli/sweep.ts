/** `otfgen sweep` and `otfgen demo`: warm-up studies on real MNIST, with a table and plots. */
import { mnist } from '../sources/mnist.js';
import { plannedRuns, runSweep, summariseSweep, threshold, writeSweepOutputs, type SweepConfig } from '../harness/sweep.js';
import { interruptible, markdownTable, progressBar, useBackend } from './common.js';

export interface SweepCliOptions extends SweepConfig {
  readonly out: string;
  readonly backend: string;
}

export async function sweepCommand(opts: SweepCliOptions): Promise<void> {
  const sel = await useBackend(opts.backend);
  const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
  const runs = plannedRuns(opts).length;
  console.log(`${runs} runs (${opts.tasks.join(', ')}; shares ${opts.shares.join(', ')}; ${opts.seeds} seed(s); ${opts.totalSteps} steps of ${opts.batchSize}) -> ${opts.out}`);
  const ctl = interruptible();
  const tty = process.stdout.isTTY;
  let bar: ReturnType<typeof progressBar> | null = null;
  const results = await runSweep(opts, {
    train,
    test,
    outDir: opts.out,
    backend: sel.choice,
    signal: ctl.signal,
    onProgress: (e) => {
      if (!tty) return;
      if (!bar) {
        if (e.skipped) console.log(`${e.skipped} finished run(s) found in ${opts.out}/results.json: skipped`);
        bar = progressBar(e.runs * opts.totalSteps, 'sweep');
      }
      bar.update(e.run * opts.totalSteps + (e.step ? e.step.step + 1 : 0), { run: `${e.task} share ${e.share} seed ${e.seed}` });
    },
    onRun: (r) => {
      if (!tty) console.log(`  ${r.task} share ${r.share} seed ${r.seed}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`);
    },
  });
  (bar as ReturnType<typeof progressBar> | null)?.stop();
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
  if (results.rows.length) {
    const files = await writeSweepOutputs(results, opts.out);
    console.log(`wrote ${files.join(', ')}`);
  }
  if (ctl.signal.aborted) {
    console.log('interrupted: run the same command again to resume');
    process.exitCode = 130;
  }
}
