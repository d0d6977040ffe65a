/**
 * The study runner: `npm run study -- <command>`. The warm-up study (demo, sweep, scaling), one-shot
 * and few-shot training, synthetic-only training, read-back, and the full benchmark, over the named
 * sources in ../sources.ts. Not published: the library's own CLI is src/cli/main.ts.
 */
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { OtfgenError } from '../../../src/core/errors.js';
import { ONE_SHOT_DEFAULT_METHODS, ONE_SHOT_METHODS } from '../one-shot.js';
import { SOURCES as SWEEP_TASKS } from '../sources.js';
import { jsonObject, numberList, positiveInt, positiveNumber } from './common.js';
import { DEMO, scalingCommand, sweepCommand } from './sweep.js';

/** What --jobs children run: the launcher, which loads this file under tsx. */
const cliScript = fileURLToPath(new URL('../cli.mjs', import.meta.url));

const program = new Command('study')
  .description("otfgen's studies: warm-up sweeps, scaling, one-shot, synthetic-only, read-back, benchmarks")
  .showHelpAfterError();
const backendOption = () => new Option('--backend <name>', 'tfjs backend: auto, tensorflow-gpu, tensorflow, wasm or cpu').default('auto');
// Checked against the task's declared parameters where the task is used (typed errors naming the parameter).
// Any dataset in MNIST's four IDX files: Fashion-MNIST's own files, or benchmarks/fashion-mnist-idx.ts's.
const dataOption = (use = 'train and test on') =>
  new Option(
    '--data <dir>',
    `${use} the four IDX files in this folder (MNIST's names and format: 28x28 images, 10 classes, e.g. Fashion-MNIST's) instead of MNIST`,
  );
const paramsOption = (whose = 'task parameters') =>
  new Option(
    '--params <json>',
    `${whose}, as a JSON object: e.g. '{"strokeWidth":[1.5,4]}', or @file: a JSON file of them, or a report of otfgen fit`,
  ).argParser(jsonObject('--params'));
const blendOption = () =>
  new Option(
    '--blend <mode>',
    "how synthetic hands over to real: at the warm-up's end, or mixed within batches, the synthetic share falling linearly or on a cosine",
  )
    .choices(['switch', 'linear', 'cosine'])
    .default('switch');
// --only-seed of the resumable commands (sweep, scaling): a results file keeps the other seeds' runs. --jobs: of every command that trains seeds.
const onlySeedOption = () =>
  new Option('--only-seed <n>', 'run only this seed of 1..--seeds (the results file keeps the others it holds)').argParser(positiveInt('--only-seed'));
const jobsOption = () =>
  new Option('--jobs <n>', 'seeds run at once, each in its own process (the same results, less wall time on several cores)')
    .argParser(positiveInt('--jobs'))
    .default(1);
// --no-plots: charts take about a second to render; without them the results files are written all the same.
const noPlotsOption = () => new Option('--no-plots', 'write the results files only, no charts (SVG and PNG)');
/** --params of the commands that train on named sources: they set the procedural task's parameters. */
const sourceParamsOption = (what: string) => paramsOption(`parameters of the procedural task (digits or fashion) under the ${what}s built on one`);

program
  .command('demo')
  .description(
    `a short warm-up experiment on real MNIST: ${DEMO.tasks.join(', ')} warm-ups, shares ${DEMO.shares.join(', ')}, ${DEMO.totalSteps} steps each; prints a table, writes a plot`,
  )
  .option('--out <dir>', 'where results and plots go', 'out/demo')
  .addOption(backendOption())
  .action((o) => sweepCommand({ ...DEMO, tasks: [...DEMO.tasks], shares: [...DEMO.shares], out: o.out, backend: o.backend }));

program
  .command('sweep')
  .description('a warm-up study: final real-test accuracy vs synthetic share, per warm-up task and seed (resumable)')
  .option('--tasks <names>', `warm-up tasks, comma-separated: ${Object.keys(SWEEP_TASKS).join(', ')}`, (v: string) => v.split(',').map((s) => s.trim()), [
    'pixel-count',
  ])
  .option('--shares <list>', 'synthetic shares of the steps', numberList('--shares'), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
  .option('--seeds <n>', 'seeds per point', positiveInt('--seeds'), 3)
  .addOption(onlySeedOption())
  .addOption(jobsOption())
  .addOption(noPlotsOption())
  .option('--steps <n>', 'training steps per run', positiveInt('--steps'), 500)
  .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), 64)
  .option('--lr <rate>', 'Adam learning rate', parseFloat)
  .addOption(new Option('--lr-schedule <name>', 'learning-rate schedule').choices(['constant', 'one-cycle']).default('constant'))
  .addOption(blendOption())
  .option('--eval-limit <n>', 'evaluate on the first n test images (default all 10,000)', positiveInt('--eval-limit'))
  .option('--out <dir>', 'results folder (an existing results.json is resumed)', 'out/sweep')
  .addOption(sourceParamsOption('warm-up task'))
  .addOption(dataOption())
  .addOption(backendOption())
  .action((o) =>
    sweepCommand({
      tasks: o.tasks,
      shares: o.shares,
      seeds: o.seeds,
      totalSteps: o.steps,
      batchSize: o.batchSize,
      learningRate: o.lr,
      lrSchedule: o.lrSchedule,
      blend: o.blend,
      evalLimit: o.evalLimit,
      data: o.data,
      params: o.params,
      onlySeed: o.onlySeed,
      jobs: o.jobs,
      cliScript,
      plots: o.plots,
      out: o.out,
      backend: o.backend,
    }),
  );

program
  .command('scaling')
  .description('final test error vs the number of real training images, with and without a synthetic warm-up; power-law fits and the data multiplier')
  .option('--task <name>', `warm-up task: ${Object.keys(SWEEP_TASKS).join(', ')}`, 'digits')
  .option('--share <x>', 'warm-up share of the steps', parseFloat, 0.3)
  .option('--sizes <list>', 'real training images per run', numberList('--sizes'), [100, 300, 1000, 3000, 10000, 60000])
  .option('--seeds <n>', 'seeds per point', positiveInt('--seeds'), 2)
  .addOption(onlySeedOption())
  .addOption(jobsOption())
  .addOption(noPlotsOption())
  .option('--steps <n>', 'training steps per run (the same for every size)', positiveInt('--steps'), 500)
  .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), 64)
  .addOption(blendOption())
  .option('--out <dir>', 'results folder (resumable)', 'out/scaling')
  .addOption(sourceParamsOption('warm-up task'))
  .addOption(dataOption())
  .addOption(backendOption())
  .action((o) =>
    scalingCommand({
      tasks: [o.task],
      share: o.share,
      shares: [0, o.share],
      realImages: o.sizes,
      seeds: o.seeds,
      onlySeed: o.onlySeed,
      jobs: o.jobs,
      cliScript,
      plots: o.plots,
      totalSteps: o.steps,
      batchSize: o.batchSize,
      blend: o.blend,
      data: o.data,
      params: o.params,
      out: o.out,
      backend: o.backend,
    }),
  );

program
  .command('one-shot')
  .description(
    'one real MNIST image per class (or of the --data): random affine warps vs the learned augmenter vs the policy controller (and the procedural digits beside the exemplars), by real-test accuracy',
  )
  .addOption(
    new Option('--methods <names>', `comma-separated: ${ONE_SHOT_METHODS.join(', ')}`)
      .argParser((v: string) => v.split(',').map((s) => s.trim()))
      .default(
        [...ONE_SHOT_DEFAULT_METHODS],
        `all but ${ONE_SHOT_METHODS.filter((m) => !ONE_SHOT_DEFAULT_METHODS.includes(m)).join(', ')}: the committed run's MNIST methods`,
      ),
  )
  .option('--seeds <n>', 'seeds 1..n (each picks other exemplars)', positiveInt('--seeds'), 3)
  .option('--only-seed <n>', 'run only this seed (instead of 1..--seeds)', positiveInt('--only-seed'))
  .addOption(jobsOption())
  .addOption(noPlotsOption())
  .option('--steps <n>', 'training steps per run', positiveInt('--steps'), 500)
  .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), 64)
  .option('--per-class <n>', 'real images per class', positiveInt('--per-class'), 1)
  .option('--baseline <method>', 'one of --methods: the table adds each method minus it, seed by seed (same exemplars), with a standard error')
  .option('--out <dir>', 'results folder (an existing results.json is resumed)', 'out/one-shot')
  .addOption(sourceParamsOption('method'))
  .addOption(dataOption())
  .addOption(backendOption())
  .action(async (o) => (await import('./one-shot.js')).oneShotCommand({ ...o, cliScript }));

program
  .command('synthetic-only')
  .description('train the reference CNN on a generated task alone and test it on real MNIST (or the --data)')
  .option('--task <name>', 'a built-in class task', 'digits')
  .option('--steps <n>', 'training steps', positiveInt('--steps'), 3000)
  .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), 64)
  .option('--seeds <n>', 'seeds 1..n (the result is their mean)', positiveInt('--seeds'), 3)
  .option('--only-seed <n>', 'train only this seed (instead of 1..--seeds)', positiveInt('--only-seed'))
  .addOption(jobsOption())
  .addOption(paramsOption())
  .addOption(
    new Option(
      '--architecture <name>',
      "the classifier: the study's reference CNN, or 'wide' (4x the filters) to see what the task teaches beyond its capacity",
    )
      .choices(['reference', 'wide'])
      .default('reference'),
  )
  .addOption(
    new Option(
      '--teacher <name>',
      'distil: first train teacher CNNs of this architecture on the task; the classifier then learns their mean logits on fresh samples (still no real image)',
    ).choices(['reference', 'wide']),
  )
  .option('--teacher-steps <n>', 'training steps of each teacher', positiveInt('--teacher-steps'), 3000)
  .option('--teachers <n>', 'teachers per seed (an ensemble: their logits are averaged)', positiveInt('--teachers'), 1)
  .option(
    '--temperature <t>',
    'distil by softened cross-entropy at this temperature (2 is a good start) instead of the mean squared error of the logits',
    positiveNumber('--temperature'),
  )
  .option('--out <file>', 'result JSON (an existing one is resumed: its seeds are not trained again)', 'out/synthetic-only.json')
  .addOption(dataOption())
  .addOption(backendOption())
  .action(async (o) => (await import('./synthetic-only.js')).syntheticOnlyCommand({ ...o, cliScript }));

program
  .command('read-back')
  .description(
    "the reverse of synthetic-only: train the reference CNN on the real images (MNIST's, or the --data's), then have it classify the task's generated images; per class, how many it reads as their class and what it takes the others for",
  )
  .argument('<task>', "a built-in class task with the real images' classes, e.g. digits, or fashion with --data")
  .option('--steps <n>', 'training steps on the real images', positiveInt('--steps'), 1000)
  .option('--seeds <n>', 'seeds 1..n of the CNN (the result is their mean)', positiveInt('--seeds'), 3)
  .option('--only-seed <n>', 'run only this seed of 1..--seeds (an existing report keeps the other seeds it holds)', positiveInt('--only-seed'))
  .addOption(jobsOption())
  .option('--count <n>', 'generated images read (stream seed 1, the same for every seed)', positiveInt('--count'), 10000)
  .addOption(paramsOption())
  .option('--out <file>', 'report (JSON; an existing one is resumed: its seeds are not run again)', 'out/read-back.json')
  .addOption(dataOption())
  .addOption(backendOption())
  .action(async (name: string, o) => (await import('./read-back.js')).readBackCommand({ ...o, task: name, cliScript }));

program
  .command('bench')
  .description(
    'throughput of generators and sources, worker streams in a consumer process with a large heap, and the training step per backend; writes benchmarks/results/*.json',
  )
  .addOption(new Option('--only <part>', 'one part').choices(['throughput', 'consumer', 'train']))
  .option('--out <dir>', 'results folder', 'benchmarks/results')
  .action(async (o) => (await import('./bench.js')).benchCommand(o));

/**
 * Our errors are for people: the message says what and how to fix it. So are
 * the system's about a path (ENOTDIR, EACCES, ENOSPC: Node's message names
 * the call and the path). Anything else is a bug: its stack is printed.
 */
const isSystemError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof OtfgenError || isSystemError(e) ? `otfgen: ${e.message}` : e);
  process.exitCode ||= 1; // 130 where a Ctrl-C stopped the seeds' processes
});
