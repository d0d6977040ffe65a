/**
 * exportDataset and exportRecipe: write a generated dataset to files that
 * other frameworks read, IDX (the MNIST format) or NPY (NumPy), whole or as
 * shards made anywhere, with the recipe that regenerates it and a manifest
 * of what was written. Batches are streamed to disk; each file appears whole
 * or not at all.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkBatchSize, type Batch } from '../../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenFileError, checkInt, describe } from '../../core/errors.js';
import { checkSeed, type Seed } from '../../core/rng.js';
import { checkTask, type ParamSpace, type Task } from '../../tasks/define-task.js';
import type { ParamsOption } from '../../tasks/generate.js';
import { generateInWorkers } from '../workers/generate.js';
import { builtInRecipeTask, checkRecipe, checkRecipeTask, jsonSafe, makeRecipe, type Recipe, type RecipeOutput } from '../../tasks/recipe.js';
import { taskFromOrigin } from '../../tasks/origin.js';
import { AtomicFile, writeJsonAtomic } from './atomic-file.js';
import { IDX_TYPES } from '../../sources/idx.js';

/** Options of {@link exportDataset}. */
export interface ExportOptions<P extends ParamSpace> {
  /** Folder to write into (created if missing). */
  readonly dir: string;
  /** Samples to write. */
  readonly count: number;
  /** The generator's seed (default 0): the files are the first `count` samples of `generate(task, { seed, batchSize, params })`. */
  readonly seed?: Seed;
  /** 'idx' (default) or 'npy'. */
  readonly format?: 'idx' | 'npy';
  /** Samples as 'uint8' (round(x * 255), MNIST's encoding; default) or exact 'float32'. */
  readonly dtype?: 'uint8' | 'float32';
  /** The task's parameters, as `generate` takes them. Fixed parameters are written in the recipe; a function of the batch index cannot be, and no recipe is written then (nor for a task built from data, such as `exemplarTask`). */
  readonly params?: ParamsOption<P>;
  /** Samples generated at a time (default 1,000). It is part of the stream's seeding: another batch size, other samples. */
  readonly batchSize?: number;
  /** Worker threads generating (default 1); the files are the same whatever the count. */
  readonly workers?: number;
  /** For workers and a task of your own without an `origin`: the ES module that exports it (see `generateInWorkers`); the recipe names it too. */
  readonly taskModule?: string | URL;
  /**
   * Name the IDX files as MNIST's split of that name (`train-images-idx3-ubyte`
   * and `train-labels-idx1-ubyte`, or `t10k-...` for 'test'), so `mnist({ dir })`
   * and the CLI's `--data` read them back. For format 'idx', dtype 'uint8' and
   * class targets; unset, the files are named after the task.
   */
  readonly split?: 'train' | 'test';
  /** Write shard `index` (from 0) of `count` shards: see {@link ExportShard}. */
  readonly shard?: ExportShard;
  /** Stops the export between batches: nothing appears at the files' paths, their temporaries are removed, and it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * One of `count` parts of an export, made by any process or machine: shard
 * `index` holds whole batches (batch b of B goes to shard floor(b * count / B)),
 * and its data bytes are that range of the single export's. `mergeExport`
 * joins the shards into the single export's files, byte for byte.
 * @inline
 */
export interface ExportShard {
  /** This shard, from 0 to count - 1. */
  readonly index: number;
  /** Shards in all (at most the number of batches). */
  readonly count: number;
}

/** The files written. */
export interface ExportResult {
  /** Path of the samples' file. */
  readonly images: string;
  /** Path of the labels' (or regression targets') file. */
  readonly targets: string;
  /** Samples written. */
  readonly count: number;
  /** Path of the manifest: the files' names, sizes and sha256, the shard and the recipe. */
  readonly manifest: string;
  /** Path of the recipe (null when the parameters were a function, which a recipe cannot hold). */
  readonly recipe: string | null;
}

/** A file of an export, as its manifest lists it. */
export interface ManifestFile {
  /** 'images' or 'targets'. */
  readonly role: 'images' | 'targets';
  /** File name, in the manifest's folder. */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** sha256 of the whole file, hex. */
  readonly sha256: string;
}

/**
 * A range of samples of a data set.
 * @inline
 */
export interface SampleRange {
  /** The first sample's index in the whole set. */
  readonly start: number;
  /** One past the last sample's index. */
  readonly end: number;
}

/** What an export wrote, beside its files as `<stem>.manifest.json` (or `<stem>.manifest-00002-of-00004.json` for a shard). */
export interface ExportManifest {
  /** Always 'manifest/1'. */
  readonly otfgen: 'manifest/1';
  /** The recipe of the whole data set (null when its parameters were a function). */
  readonly recipe: Recipe | null;
  /** Which shard this is (index 0 of 1 for an export in one piece). */
  readonly shard: ExportShard;
  /** The samples of the whole set this shard holds: [start, end). */
  readonly samples: SampleRange;
  /** The files, images first. */
  readonly files: readonly ManifestFile[];
}

/**
 * Writes `count` generated samples, their targets, a recipe that regenerates
 * them byte for byte (`<stem>.recipe.json`) and a manifest of the files
 * written with their sha256 (`<stem>.manifest.json`).
 * @example
 * ```ts
 * await exportDataset(digits, { dir: 'out', count: 60000, seed: 1, format: 'npy' });
 * // out/digits-images.npy (uint8 [60000, 28, 28, 1]), out/digits-labels.npy (uint8 [60000]),
 * // out/digits.recipe.json and out/digits.manifest.json
 * ```
 */
export async function exportDataset<P extends ParamSpace>(task: Task<P>, options: ExportOptions<P>): Promise<ExportResult> {
  checkKeys('exportDataset options', options, [
    'dir',
    'count',
    'seed',
    'format',
    'dtype',
    'params',
    'batchSize',
    'workers',
    'taskModule',
    'split',
    'shard',
    'signal',
  ]);
  checkTask('exportDataset(task)', task);
  const count = checkInt('exportDataset options.count', options.count, 1, 2 ** 31 - 1);
  if (options.seed !== undefined) checkSeed('exportDataset options.seed', options.seed);
  const batchSize = checkBatchSize('exportDataset options.batchSize', options.batchSize ?? 1000, task.sampleShape);
  const format = options.format ?? 'idx';
  const dtype = options.dtype ?? 'uint8';
  if (format !== 'idx' && format !== 'npy') throw new OtfgenArgumentError('exportDataset options.format', `expected 'idx' or 'npy', got ${describe(format)}`);
  if (dtype !== 'uint8' && dtype !== 'float32')
    throw new OtfgenArgumentError('exportDataset options.dtype', `expected 'uint8' or 'float32', got ${describe(dtype)}`);
  const split = options.split;
  if (split !== undefined) {
    if (split !== 'train' && split !== 'test')
      throw new OtfgenArgumentError('exportDataset options.split', `expected 'train' or 'test', got ${describe(split)}`);
    if (format !== 'idx' || dtype !== 'uint8' || task.target.kind !== 'class') {
      throw new OtfgenArgumentError(
        'exportDataset options.split',
        "names the files as MNIST's, which are IDX files of bytes with class labels: use format 'idx' and dtype 'uint8' with a class task",
      );
    }
  }
  const output: RecipeOutput = { format, dtype, ...(split ? { split } : {}) };
  const origin = options.taskModule !== undefined ? { module: String(options.taskModule), export: '*' } : task.origin;
  // A recipe holds data: not a function of the batch index, nor a task built from arrays (exemplars).
  const recipe =
    typeof options.params === 'function' || (origin !== undefined && !jsonSafe(origin))
      ? null
      : makeRecipe({ ...task, origin } as Task<P>, { count, seed: options.seed ?? 0, batchSize, params: options.params, output });
  return writeExport(task, { count, seed: options.seed ?? 0, batchSize, params: options.params, output, recipe }, options, 'exportDataset options');
}

/** Options of {@link exportRecipe}. */
export interface ExportRecipeOptions {
  /** Folder to write into (created if missing). */
  readonly dir: string;
  /** The task, when it is not a built-in: checked against the recipe's name and version (else found from the recipe, see `recipeTask`). */
  readonly task?: Task<any>;
  /** The folder the recipe's relative module paths are relative to (default: the working folder). */
  readonly base?: string;
  /** Worker threads generating (default 1). */
  readonly workers?: number;
  /** Write shard `index` of `count` (see {@link ExportShard}). */
  readonly shard?: ExportShard;
  /** Stops the export between batches, as in `exportDataset`. */
  readonly signal?: AbortSignal;
}

/**
 * Writes the data set a recipe stands for (or one shard of it): the same
 * bytes as the export that wrote the recipe, on any machine with a release
 * whose task draws the recipe's task version (another version is refused with
 * `OtfgenVersionError`).
 * @example
 * ```ts
 * import { exportRecipe, readRecipe } from 'otfgen/node';
 * const recipe = await readRecipe('digits.recipe.json');
 * await exportRecipe(recipe, { dir: 'out', shard: { index: 2, count: 8 } });
 * ```
 */
export async function exportRecipe(recipe: Recipe, options: ExportRecipeOptions): Promise<ExportResult> {
  checkKeys('exportRecipe options', options, ['dir', 'task', 'base', 'workers', 'shard', 'signal']);
  const r = checkRecipe(recipe);
  const task = options.task ?? (await recipeTask(r, { base: options.base }));
  checkRecipeTask(r, task);
  const output = r.output ?? { format: 'idx', dtype: 'uint8' };
  // A task module's path, resolved once: workers import it, and the recipe written beside the data names it relative to its new folder.
  const origin =
    r.task.origin && r.task.origin.module !== 'otfgen' ? { ...r.task.origin, module: resolveModule(r.task.origin.module, options.base) } : r.task.origin;
  const module = origin && origin.module !== 'otfgen' && !task.origin ? origin.module : undefined;
  return writeExport(
    task,
    { count: r.count, seed: r.seed, batchSize: r.batchSize, params: r.params as ParamsOption<any>, output, recipe: { ...r, task: { ...r.task, origin } } },
    { dir: options.dir, workers: options.workers, shard: options.shard, signal: options.signal, taskModule: module },
    'exportRecipe options',
  );
}

interface Plan {
  readonly count: number;
  readonly seed: Seed;
  readonly batchSize: number;
  readonly params: ParamsOption<any> | undefined;
  readonly output: RecipeOutput;
  readonly recipe: Recipe | null;
}

/** The file names of an export: `<stem>-images...`, with `-00002-of-00004` for a shard. */
export function exportNames(task: Task<any>, output: RecipeOutput, shard: ExportShard | null, dir: string) {
  const { format, dtype, split } = output;
  const isClass = task.target.kind === 'class';
  const per = isClass ? 1 : (task.target as { size: number }).size;
  const stem = split === undefined ? task.name : split === 'train' ? 'train' : 't10k';
  const dims = format === 'idx' && task.sampleShape.length === 3 && task.sampleShape[2] === 1 ? 3 : task.sampleShape.length + 1;
  const part = shard && shard.count > 1 ? `-${pad(shard.index)}-of-${pad(shard.count)}` : '';
  const base =
    format === 'idx'
      ? {
          images: `${stem}-images-idx${dims}-${dtype === 'uint8' ? 'ubyte' : 'float'}${part}`,
          targets: `${stem}-${isClass ? 'labels' : 'targets'}-idx${per === 1 ? 1 : 2}-${isClass ? 'ubyte' : 'float'}${part}`,
        }
      : { images: `${stem}-images${part}.npy`, targets: `${stem}-${isClass ? 'labels' : 'targets'}${part}.npy` };
  return {
    stem,
    images: join(dir, base.images),
    targets: join(dir, base.targets),
    manifest: join(dir, `${stem}.manifest${part}.json`),
    recipe: join(dir, `${stem}.recipe.json`),
  };
}

const pad = (n: number) => String(n).padStart(5, '0');

async function writeExport(
  task: Task<any>,
  plan: Plan,
  options: { dir: string; workers?: number; taskModule?: string | URL; shard?: ExportShard; signal?: AbortSignal },
  argument: string,
): Promise<ExportResult> {
  const { count, batchSize, output } = plan;
  const { format, dtype } = output;
  const batches = Math.ceil(count / batchSize);
  const shard = options.shard === undefined ? { index: 0, count: 1 } : checkShard(`${argument}.shard`, options.shard, batches);
  const first = Math.floor((shard.index * batches) / shard.count);
  const end = Math.floor(((shard.index + 1) * batches) / shard.count);
  const samples = { start: first * batchSize, end: Math.min(end * batchSize, count) };
  const n = samples.end - samples.start;
  const isClass = task.target.kind === 'class';
  const per = isClass ? 1 : (task.target as { size: number }).size;
  // One channel is dropped in IDX, as MNIST's [N, 28, 28] files do; NPY keeps NHWC.
  const sample = format === 'idx' && task.sampleShape.length === 3 && task.sampleShape[2] === 1 ? task.sampleShape.slice(0, 2) : task.sampleShape;
  const shape = [n, ...sample];
  const targetShape = per === 1 ? [n] : [n, per];
  const names = exportNames(task, output, shard, options.dir);
  // The stream checks its own options (workers, params, task module) as it is made, before anything is created on disk.
  const stream = generateInWorkers(task, {
    seed: plan.seed,
    batchSize,
    params: plan.params,
    workers: options.workers,
    taskModule: options.taskModule,
    startBatch: first,
    batches: end - first,
  });
  options.signal?.throwIfAborted();
  await mkdir(options.dir, { recursive: true });
  if (plan.recipe && shard.count > 1) await checkSameRecipe(names.recipe, plan.recipe);
  const images = await HashedFile.create(names.images);
  const targets = await HashedFile.create(names.targets);
  try {
    const xType = dtype === 'uint8' ? 'uint8' : 'float32';
    // Class ids as bytes, as MNIST's label files (int32 past 256 classes).
    const yType: Elem = task.target.kind === 'class' ? (task.target.classes <= 256 ? 'uint8' : 'int32') : 'float32';
    await images.write(format === 'idx' ? idxHeader(xType, shape) : npyHeader(xType, shape));
    await targets.write(format === 'idx' ? idxHeader(yType, targetShape) : npyHeader(yType, targetShape));
    let left = n;
    for await (const b of stream) {
      options.signal?.throwIfAborted();
      const take = Math.min(left, b.size);
      await images.write(encodeSamples(b, take, xType, format === 'idx'));
      await targets.write(encodeTargets(b, take, per, yType, format === 'idx'));
      left -= take;
      if (left === 0) break;
    }
    const manifest: ExportManifest = {
      otfgen: 'manifest/1',
      recipe: plan.recipe && recipeForFolder(plan.recipe, options.dir),
      shard,
      samples,
      files: [images.entry('images'), targets.entry('targets')],
    };
    await images.commit();
    await targets.commit();
    if (plan.recipe) await writeJsonAtomic(names.recipe, recipeForFolder(plan.recipe, options.dir));
    await writeJsonAtomic(names.manifest, manifest);
  } catch (e) {
    await Promise.all([images.abort(), targets.abort()]);
    throw e;
  }
  return { images: names.images, targets: names.targets, count: n, manifest: names.manifest, recipe: plan.recipe ? names.recipe : null };
}

function checkShard(argument: string, shard: ExportShard, batches: number): ExportShard {
  if (!shard || typeof shard !== 'object') throw new OtfgenArgumentError(argument, `expected { index, count }, got ${describe(shard)}`);
  checkKeys(argument, shard, ['index', 'count']);
  const count = checkInt(`${argument}.count`, shard.count, 1);
  if (count > batches) {
    throw new OtfgenArgumentError(
      `${argument}.count`,
      `${count} shards of ${batches} batch(es): each shard holds whole batches, so use at most ${batches} shards or a smaller batchSize`,
    );
  }
  return { index: checkInt(`${argument}.index`, shard.index, 0, count - 1), count };
}

/** Shards of one set share a recipe file: a folder holding another set's is refused, not mixed. */
async function checkSameRecipe(path: string, recipe: Recipe): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return; // the first shard here
  }
  let saved: unknown = null;
  try {
    saved = JSON.parse(text);
  } catch {
    // not a recipe: refused below
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  if (!same({ ...(saved as object), task: { ...(saved as Recipe)?.task, origin: undefined } }, { ...recipe, task: { ...recipe.task, origin: undefined } })) {
    throw new OtfgenFileError(path, "holds another data set's recipe: write this shard to another folder, or remove that set first");
  }
}

/** Keys sorted at every level, so two equal recipes compare equal whatever their key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** A recipe as written in `dir`: a task module's file path is made relative to the folder, so the folder can move to another machine. */
function recipeForFolder(recipe: Recipe, dir: string): Recipe {
  const origin = recipe.task.origin;
  if (!origin || origin.module === 'otfgen') return recipe;
  const file = origin.module.startsWith('file:')
    ? fileURLToPath(origin.module)
    : isAbsolute(origin.module) || origin.module.startsWith('.')
      ? resolve(origin.module)
      : null;
  if (file === null) return recipe; // a package name: the same anywhere it is installed
  const rel = relative(resolve(dir), file).split(sep).join('/');
  return { ...recipe, task: { ...recipe.task, origin: { ...origin, module: rel.startsWith('.') ? rel : `./${rel}` } } };
}

/** A recipe's module, as a URL a worker imports: a relative path is relative to `base`. */
function resolveModule(module: string, base = '.'): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  if (isAbsolute(module) || module.startsWith('.')) return pathToFileURL(resolve(base, module)).href;
  return module;
}

/**
 * The task a recipe names: a built-in (or built-in factory), or the export of
 * the module its origin names (a relative path is relative to `base`), at the
 * recipe's version.
 */
export async function recipeTask(recipe: Recipe, options: { readonly base?: string } = {}): Promise<Task<any>> {
  const r = checkRecipe(recipe);
  const origin = r.task.origin;
  if (!origin || origin.module === 'otfgen') return builtInRecipeTask(r);
  const url = resolveModule(origin.module, options.base);
  let task: Task<any>;
  try {
    task = await taskFromOrigin({ ...origin, module: url }, r.task.name, (m) => import(m));
  } catch (e) {
    throw new OtfgenFileError(origin.module, `cannot rebuild the recipe's task '${r.task.name}': ${(e as Error).message}`, { cause: e });
  }
  checkRecipeTask(r, task);
  return task;
}

/** Reads and checks a recipe file (JSON); a recipe whose module path is relative is resolved against the file's folder by `exportRecipe({ base })`. */
export async function readRecipe(path: string): Promise<Recipe> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new OtfgenFileError(path, `cannot read the recipe: ${(e as Error).message}`, { cause: e });
  }
  return checkRecipe(value, path);
}

/** An atomic file that hashes what is written to it: its manifest entry comes with it. */
export class HashedFile {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private constructor(private readonly file: AtomicFile) {}
  static async create(path: string): Promise<HashedFile> {
    return new HashedFile(await AtomicFile.create(path));
  }
  async write(data: Uint8Array): Promise<void> {
    this.hash.update(data);
    this.bytes += data.length;
    await this.file.write(data);
  }
  entry(role: ManifestFile['role']): ManifestFile {
    return { role, name: basename(this.file.path), bytes: this.bytes, sha256: this.hash.copy().digest('hex') };
  }
  commit(): Promise<void> {
    return this.file.commit();
  }
  abort(): Promise<void> {
    return this.file.abort();
  }
}

type Elem = 'uint8' | 'int32' | 'float32';

function idxHeader(type: Elem, shape: number[]): Uint8Array {
  const h = new Uint8Array(4 + 4 * shape.length);
  const v = new DataView(h.buffer);
  h[2] = IDX_TYPES[type];
  h[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return h;
}

/**
 * NPY format 1.0: magic, version, a little-endian header length, then a
 * Python dict literal padded with spaces to a multiple of 64 bytes. Written
 * here rather than with a library: the writer is these few lines.
 */
function npyHeader(type: Elem, shape: number[]): Uint8Array {
  const descr = { uint8: '|u1', int32: '<i4', float32: '<f4' }[type];
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict += ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}

function encodeSamples(b: Batch, take: number, type: Elem, bigEndian: boolean): Uint8Array {
  const n = (b.x.length / b.size) * take;
  if (type === 'uint8') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(Math.min(1, Math.max(0, b.x[i])) * 255);
    return out;
  }
  return encodeNumbers(b.x, n, 'float32', bigEndian);
}

function encodeTargets(b: Batch, take: number, per: number, type: Elem, bigEndian: boolean): Uint8Array {
  return encodeNumbers(b.y, take * per, type, bigEndian);
}

function encodeNumbers(values: ArrayLike<number>, n: number, type: Elem, bigEndian: boolean): Uint8Array {
  if (type === 'uint8') return Uint8Array.from({ length: n }, (_, i) => values[i]);
  const out = new Uint8Array(4 * n);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (type === 'int32') v.setInt32(4 * i, values[i], !bigEndian);
    else v.setFloat32(4 * i, values[i], !bigEndian);
  }
  return out;
}
