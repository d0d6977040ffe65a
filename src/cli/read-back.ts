/** `otfgen read-back`: a CNN trained on real images (MNIST's, or the `--data`'s) classifies the task's generated images. */
import { readBack, type ReadBackResult } from '../harness/read-back.js';
import { writeJsonAtomic } from '../sources/atomic-file.js';
import { FASHION_CLASSES } from '../tasks/fashion/index.js';
import { dataAndParamsArgs, markdownTable, quote, realData, tenClassTask, useBackend } from './common.js';
import { checkParams } from '../tasks/generate.js';

export interface ReadBackCommandOptions {
  readonly task: string;
  readonly steps: number;
  readonly seeds: number;
  readonly count: number;
  readonly params?: Record<string, unknown>;
  readonly out: string;
  readonly backend: string;
  /** A folder with the four IDX files of the real data, instead of MNIST. */
  readonly data?: string;
}

export async function readBackCommand(o: ReadBackCommandOptions): Promise<void> {
  const task = tenClassTask(o.task, '<task>', 'read-back reads');
  if (o.params !== undefined) checkParams(task, o.params as Record<string, never>, '--params');
  const [train, test] = await realData(o.data);
  const backend = (await useBackend(o.backend)).choice;
  const names = o.task === 'fashion' ? FASHION_CLASSES : Array.from({ length: train.target.classes }, (_, c) => String(c));
  console.log(`read-back of '${o.task}': the reference CNN trained on the real ${o.data === undefined ? 'MNIST' : `images in ${o.data}`} (${o.steps} steps of 64, one-cycle, seeds 1..${o.seeds}) classifies ${o.count} generated images`);
  const runs: (ReadBackResult & { seed: number })[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const r = await readBack({ task, params: o.params as never, train, test, steps: o.steps, seed, count: o.count });
    runs.push({ seed, ...r });
    console.log(`  seed ${seed}: real test accuracy ${r.realTestAccuracy!.toFixed(4)}; generated images read as their class ${r.accuracy.toFixed(4)}`);
  }
  const mean = (f: (r: (typeof runs)[number]) => number) => +(runs.reduce((a, r) => a + f(r), 0) / runs.length).toFixed(4);
  // Confusions summed over the seeds, as shares of each class's generated images.
  const perClass = names.map((name, c) => {
    const row = names.map((_, p) => runs.reduce((a, r) => a + r.confusion[c][p], 0));
    const n = row.reduce((a, v) => a + v, 0);
    const [other] = row.map((v, p) => ({ p, v })).filter((e) => e.p !== c).sort((a, b) => b.v - a.v);
    return { class: name, readAsItself: +(row[c] / n).toFixed(4), mostOftenReadAs: { class: names[other.p], share: +(other.v / n).toFixed(4) } };
  });
  const report = {
    task: o.task,
    ...(o.data === undefined ? {} : { data: o.data }),
    steps: o.steps,
    batchSize: 64,
    params: o.params ?? {},
    backend,
    generated: { count: o.count, seed: 1 },
    meanRealTestAccuracy: mean((r) => r.realTestAccuracy!),
    meanAccuracy: mean((r) => r.accuracy),
    perClass,
    runs: runs.map(({ seed, realTestAccuracy, accuracy, confusion }) => ({ seed, realTestAccuracy, accuracy, confusion })),
    command: [
      'npx otfgen read-back',
      ...[o.task, '--steps', String(o.steps), '--seeds', String(o.seeds), ...(o.count === 10_000 ? [] : ['--count', String(o.count)]), ...dataAndParamsArgs(o)].map(quote),
    ].join(' '),
  };
  await writeJsonAtomic(o.out, report);
  console.log(`\nmean of ${o.seeds} seed(s): real test accuracy ${report.meanRealTestAccuracy.toFixed(4)}; generated images read as their class ${report.meanAccuracy.toFixed(4)}\n`);
  console.log(markdownTable(['class', 'generated images read as their class', 'most often read as'], perClass.map((c) => [c.class, `${(100 * c.readAsItself).toFixed(0)}%`, `${c.mostOftenReadAs.class} (${(100 * c.mostOftenReadAs.share).toFixed(0)}%)`])));
  console.log(`wrote ${o.out}`);
}
