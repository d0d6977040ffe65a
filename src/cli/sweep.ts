/**
 * `otfgen sweep`: how much of a training run can a task replace? The reference
 * CNN trained on real images (MNIST, or an IDX folder) with a growing share
 * of its steps a warm-up on the task, final test accuracy per share; results
 * JSON and CSV, a table, and charts when the plotting peers are installed.
 */
import { join } from 'node:path';
import { OtfgenArgumentError } from '../core/errors.js';
import type { MnistDataset } from '../node/files/mnist.js';
import type { Task } from '../tasks/define-task.js';
import type { WarmupBlend } from '../stream/warmup.js';
import type { SweepResults } from '../harness/sweep.js';
import { interruptibly, loadTraining, markdownTable, realData, useBackend } from './common.js';
import { lineWithBand, writeChart } from './plots.js';

export interface SweepCommandOptions {
  readonly task: Task<any>;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly shares: readonly number[];
  readonly seeds: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly blend: WarmupBlend;
  readonly lr?: number;
  readonly evalLimit?: number;
  readonly data?: string;
  readonly out: string;
  readonly backend: string;
  readonly plots: boolean;
}

export async function sweepCommand(o: SweepCommandOptions): Promise<void> {
  await loadTraining('otfgen sweep');
  const { runSweep, checkSweepConfig } = await import('../harness/sweep.js');
  const { taskSource } = await import('../harness/warmup-source.js');
  const sources = { [o.task.name]: taskSource(o.task) };
  const config = {
    tasks: [o.task.name],
    shares: o.shares,
    seeds: o.seeds,
    totalSteps: o.steps,
    batchSize: o.batchSize,
    blend: o.blend,
    learningRate: o.lr,
    evalLimit: o.evalLimit,
    data: o.data,
    params: o.params,
  };
  checkSweepConfig(config, sources); // before any data loads: a bad option fails at once
  const [train, test] = await realData(o.data);
  checkFits(o.task, train, o.blend, o.data);
  const sel = await useBackend(o.backend);
  console.log(`${o.task.name}: shares ${o.shares.join(', ')}, ${o.seeds} seed(s), ${o.steps} steps of ${o.batchSize} on ${o.data ?? 'MNIST'} -> ${o.out}`);
  const { value: results } = await interruptibly((signal) =>
    runSweep(config, {
      sources,
      train,
      test,
      outDir: o.out,
      backend: sel.choice,
      signal,
      onProgress: (e) => {
        if (e.step === undefined && e.run === 0 && e.skipped) console.log(`${e.skipped} finished run(s) found in ${o.out}/results.json: skipped`);
      },
      onRun: (r) => console.log(`  ${r.task} share ${r.share} seed ${r.seed}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`),
    }),
  );
  await printSweepSummary(results, [o.task.name]);
  if (results.rows.length) console.log(`wrote ${(await writeSweepOutputs(results, o.out, { charts: o.plots })).join(', ')}`);
}

/** The task must draw samples of the real images' shape (one model trains on both), and the same target to be blended with them. */
function checkFits(task: Task<any>, real: MnistDataset, blend: WarmupBlend, data: string | undefined): void {
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  const where = data ?? 'MNIST';
  if (shape(task.sampleShape) !== shape(real.sampleShape)) {
    throw new OtfgenArgumentError(
      '--task',
      `task '${task.name}' draws ${shape(task.sampleShape)} samples, and the real images of ${where} are ${shape(real.sampleShape)}: one model trains on both`,
    );
  }
  const sameTarget = task.target.kind === 'class' && real.target.kind === 'class' && task.target.classes === real.target.classes;
  if (blend !== 'switch' && !sameTarget) {
    throw new OtfgenArgumentError(
      '--blend',
      `a ${blend} blend mixes the task's samples with real ones in one batch, so it needs the real images' classes; task '${task.name}' has another: use --blend switch (the head is swapped at the switch)`,
    );
  }
}

/** Prints a sweep's table (mean accuracy per task and share) and each task's threshold. */
export async function printSweepSummary(results: SweepResults, tasks: readonly string[]): Promise<void> {
  const { summariseSweep, threshold } = await import('../harness/sweep.js');
  const summary = summariseSweep(results);
  console.log(
    '\n' +
      markdownTable(
        ['warm-up task', 'synthetic share', 'runs', 'final accuracy (mean)', 'min..max', 'final loss', 'wall s'],
        summary.map((s) => [
          s.task,
          s.share.toFixed(2),
          s.runs,
          s.accuracy.toFixed(4),
          `${s.accuracyMin.toFixed(3)}..${s.accuracyMax.toFixed(3)}`,
          s.loss.toFixed(3),
          s.wallSeconds.toFixed(1),
        ]),
      ),
  );
  for (const task of tasks) {
    const t = threshold(results.rows, task);
    console.log(`threshold (${task}): ${t === null ? 'no baseline run' : `${t.toFixed(2)}, the largest share within 1 point of the 0% baseline`}`);
  }
}

/** Writes results.csv and, unless `charts` is false (or the plotting peers are missing), the three plots beside results.json; returns the paths written. */
export async function writeSweepOutputs(results: SweepResults, outDir: string, { charts = true }: { charts?: boolean } = {}): Promise<string[]> {
  const { rowsByTask, writeResultsCsv } = await import('../harness/sweep.js');
  const { summarise } = await import('../harness/summarise.js');
  await writeResultsCsv(results, outDir);
  if (!charts) return [join(outDir, 'results.json'), join(outDir, 'results.csv')];
  const rows = rowsByTask(results);
  const baseline = rows.filter((r) => r.share === 0);
  const baseAcc = baseline.length ? baseline.reduce((a, r) => a + r.finalAccuracy, 0) / baseline.length : null;
  const written = [join(outDir, 'results.json'), join(outDir, 'results.csv')];
  const steps = `${results.config.totalSteps} steps, batch ${results.config.batchSize}`;
  written.push(
    ...(await writeChart(
      join(outDir, 'accuracy-vs-share'),
      lineWithBand({
        title: `Final test accuracy vs synthetic share (${steps})`,
        xTitle: 'synthetic share of steps',
        yTitle: results.config.data === undefined ? 'final accuracy (real MNIST test)' : `final accuracy (real test images in ${results.config.data})`,
        points: summarise(
          rows,
          (r) => r.task,
          (r) => r.share,
          (r) => r.finalAccuracy,
        ),
        rules: baseAcc === null ? [] : [{ y: baseAcc, label: '0% baseline' }],
      }),
    )),
    ...(await writeChart(
      join(outDir, 'loss-vs-share'),
      lineWithBand({
        title: `Final test loss vs synthetic share (${steps})`,
        xTitle: 'synthetic share of steps',
        yTitle: 'final cross-entropy',
        points: summarise(
          rows,
          (r) => r.task,
          (r) => r.share,
          (r) => r.finalLoss,
        ),
      }),
    )),
    ...(await writeChart(
      join(outDir, 'time-vs-share'),
      lineWithBand({
        title: `Wall time per run vs synthetic share (${steps})`,
        xTitle: 'synthetic share of steps',
        yTitle: 'seconds',
        points: summarise(
          rows,
          (r) => r.task,
          (r) => r.share,
          (r) => r.wallMs / 1000,
        ),
      }),
    )),
  );
  return written;
}
