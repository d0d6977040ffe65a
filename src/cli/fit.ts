/** `otfgen fit`: fit some of a task's parameter ranges to real training images' statistics. */
import { mnist } from '../node/files/mnist.js';
import { writeJsonAtomic } from '../node/writers/atomic-file.js';
import { fitParams } from '../fit/fit-params.js';
import { checkStatistics } from '../fit/image-statistics.js';
import type { Task } from '../tasks/define-task.js';
import { markdownTable, progressBar, quote } from './common.js';

export interface FitCommandOptions {
  readonly task: Task<any>;
  /** The module the task came from (`--task-module`), for the report's command. */
  readonly taskModule?: string;
  /** The parameters whose ranges to fit. */
  readonly fit: readonly string[];
  /** The starting point and the other parameters' values. */
  readonly params?: Record<string, unknown>;
  readonly statistics?: readonly string[];
  readonly perClass?: boolean;
  readonly samples: number;
  readonly referenceSamples: number;
  readonly iterations: number;
  readonly seed: number | string;
  /** The report (JSON); its `params` is what `--params` takes. */
  readonly out: string;
  /** A folder with MNIST's four IDX files of another dataset; its training images are the reference. */
  readonly data?: string;
}

export async function fitCommand(o: FitCommandOptions): Promise<void> {
  const task = o.task;
  const statistics = o.statistics === undefined ? undefined : checkStatistics('--statistics', o.statistics);
  // Only the training split: the test images stay unseen by anything that tunes.
  const reference = await mnist({ split: 'train', dir: o.data });
  const bar = process.stderr.isTTY ? progressBar(o.iterations, 'fit') : null;
  let result: ReturnType<typeof fitParams>;
  try {
    result = fitParams(task, reference, {
      fit: o.fit as never[],
      params: o.params as never,
      statistics,
      perClass: o.perClass ?? false,
      samples: o.samples,
      referenceSamples: o.referenceSamples,
      iterations: o.iterations,
      seed: o.seed,
      onIteration: bar ? (i, best) => bar.update(i + 1, { run: `distance ${best.toFixed(4)}` }) : undefined,
    });
  } finally {
    bar?.stop();
  }
  const args = [
    ...(o.taskModule === undefined ? [] : ['--task-module', o.taskModule]),
    '--fit',
    o.fit.join(','),
    ...(o.data === undefined ? [] : ['--data', o.data]),
    ...(o.statistics === undefined ? [] : ['--statistics', o.statistics.join(',')]),
    ...(o.perClass ? ['--per-class'] : []),
    '--samples',
    String(o.samples),
    '--reference-samples',
    String(o.referenceSamples),
    '--iterations',
    String(o.iterations),
    '--seed',
    String(o.seed),
    ...(o.params ? ['--params', JSON.stringify(o.params)] : []),
    '--out',
    o.out,
  ];
  const report = {
    task: o.task.name,
    ...(o.data === undefined ? {} : { data: o.data }),
    fit: o.fit,
    perClass: o.perClass ?? false,
    samples: o.samples,
    referenceSamples: o.referenceSamples,
    iterations: o.iterations,
    seed: o.seed,
    distance: { before: +result.distance.before.toFixed(4), after: +result.distance.after.toFixed(4) },
    statistics: Object.fromEntries(Object.entries(result.statistics).map(([s, d]) => [s, { before: +d.before.toFixed(4), after: +d.after.toFixed(4) }])),
    fitted: result.fitted,
    params: result.params,
    command: ['npx otfgen fit', o.task.name, ...args.map(quote)].join(' '),
  };
  await writeJsonAtomic(o.out, report);
  const start = (key: string) => JSON.stringify(o.params?.[key] ?? (task.params[key] as { default: unknown }).default);
  console.log(
    `fitted '${o.task.name}' to ${Math.min(o.referenceSamples, reference.count)} training images of ${o.data ?? 'MNIST'} (${o.iterations} candidates of ${o.samples} images)`,
  );
  console.log(
    markdownTable(
      ['parameter', 'start', 'fitted'],
      o.fit.map((k) => [k, start(k), JSON.stringify(result.fitted[k])]),
    ),
  );
  console.log(
    markdownTable(
      ['statistic', 'distance before', 'distance after'],
      [
        ...Object.entries(report.statistics).map(([s, d]) => [s, d.before.toFixed(3), d.after.toFixed(3)]),
        ['mean', report.distance.before.toFixed(3), report.distance.after.toFixed(3)],
      ],
    ),
  );
  console.log(`wrote ${o.out}; use it with --params @${o.out}`);
}
