/**
 * Recipes: a data set as the few hundred bytes that regenerate it byte for
 * byte (task and task version, parameters, seed, count, batch size), instead
 * of its pixels.
 */
import { checkBatchSize, type Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenVersionError, checkInt, describe } from '../core/errors.js';
import { checkSeed, type Seed } from '../core/rng.js';
import { Stream } from '../stream/stream.js';
import { checkTask, type ParamSpace, type ParamValues, type Task, type TaskOrigin } from './define-task.js';
import { generate } from './generate.js';
import { builtInFromOrigin } from './origin.js';

/** The `otfgen` tag of a recipe document: what readers of this release understand. */
export const RECIPE_TAG = 'recipe/1';

/**
 * How generated files are written (by `exportDataset` / `otfgen export`); generating in memory ignores it.
 * @inline
 */
export interface RecipeOutput {
  /** 'idx' (MNIST's format) or 'npy' (NumPy). */
  readonly format: 'idx' | 'npy';
  /** Samples as 'uint8' (round(x * 255)) or 'float32'. */
  readonly dtype: 'uint8' | 'float32';
  /** Name the IDX files as MNIST's 'train' or 'test' split. */
  readonly split?: 'train' | 'test';
}

/**
 * A data set as data: JSON that regenerates it byte for byte with the same
 * task version. Made by {@link makeRecipe}, written beside every export as
 * `recipe.json`.
 * @example
 * ```ts
 * import { checkRecipe } from 'otfgen';
 * const recipe = checkRecipe({
 *   otfgen: 'recipe/1',
 *   task: { name: 'digits', version: 1, origin: { module: 'otfgen', export: 'digits' } },
 *   seed: 1, count: 60000, batchSize: 1000, params: {}, output: { format: 'idx', dtype: 'uint8' },
 * });
 * ```
 */
export interface Recipe {
  /** Always 'recipe/1': the recipe format this otfgen reads. */
  readonly otfgen: typeof RECIPE_TAG;
  /** The task: its name, the version of what it draws, and where it can be rebuilt from. */
  readonly task: RecipeTask;
  /** The stream's seed. */
  readonly seed: Seed;
  /** Samples in the data set: the first `count` of `generate(task, { seed, batchSize, params })`. */
  readonly count: number;
  /** Samples per batch (part of the seeding: another batch size, other samples). */
  readonly batchSize: number;
  /** The task's parameters, fixed for the whole set. */
  readonly params: Record<string, unknown>;
  /** How the files are written, for exports. */
  readonly output?: RecipeOutput;
}

/**
 * The task a recipe names.
 * @inline
 */
export interface RecipeTask {
  /** The task's name. */
  readonly name: string;
  /** The version of what the task draws (see `TaskDefinition.version`). */
  readonly version: number;
  /** Where the task is rebuilt from: a built-in (module 'otfgen'), or a module of your own (a path relative to the recipe's folder). */
  readonly origin?: TaskOrigin;
}

/** What {@link makeRecipe} takes. */
export interface RecipeOptions<P extends ParamSpace> {
  /** Samples in the data set. */
  readonly count: number;
  /** The seed (default 0). */
  readonly seed?: Seed;
  /** Samples per batch (default 1,000). */
  readonly batchSize?: number;
  /** Fixed parameters (a recipe holds data, not a function of the batch index). */
  readonly params?: Partial<ParamValues<P>>;
  /** How exports write it (default IDX of bytes). */
  readonly output?: Partial<RecipeOutput>;
}

/**
 * The recipe of the first `count` samples of `generate(task, { seed, batchSize, params })`.
 * @example
 * ```ts
 * import { digits, makeRecipe } from 'otfgen';
 * const recipe = makeRecipe(digits, { count: 60000, seed: 1 });
 * JSON.stringify(recipe).length; // about 200 bytes for 47 MB of pixels
 * ```
 */
export function makeRecipe<P extends ParamSpace>(task: Task<P>, options: RecipeOptions<P>): Recipe {
  checkTask('makeRecipe(task)', task);
  checkKeys('makeRecipe options', options, ['count', 'seed', 'batchSize', 'params', 'output']);
  if (typeof options.params === 'function') {
    throw new OtfgenArgumentError('makeRecipe options.params', 'expected fixed parameters: a recipe is data, and cannot hold a function of the batch index');
  }
  if (task.origin && !jsonSafe(task.origin)) {
    throw new OtfgenArgumentError(
      'makeRecipe(task)',
      `task '${task.name}' is built from data (its origin's arguments hold arrays of numbers or objects JSON cannot carry), which a recipe cannot hold: export the data instead`,
    );
  }
  const recipe: Recipe = {
    otfgen: RECIPE_TAG,
    task: { name: task.name, version: task.version, ...(task.origin ? { origin: task.origin } : {}) },
    seed: options.seed ?? 0,
    count: options.count,
    batchSize: options.batchSize ?? 1000,
    params: JSON.parse(JSON.stringify(options.params ?? {})),
    ...(options.output ? { output: { format: 'idx', dtype: 'uint8', ...options.output } } : {}),
  };
  const checked = checkRecipe(recipe, 'makeRecipe options');
  checkRecipeTask(checked, task);
  return checked;
}

/**
 * Checks a recipe read from JSON, field by field; errors name the field
 * (`recipe.task.version`) and say what would be right. Returns it, typed.
 */
export function checkRecipe(value: unknown, argument = 'recipe'): Recipe {
  const r = value as Recipe;
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new OtfgenArgumentError(argument, `expected a recipe object, got ${describe(value)}`);
  checkKeys(argument, r, ['otfgen', 'task', 'seed', 'count', 'batchSize', 'params', 'output']);
  if (r.otfgen !== RECIPE_TAG) {
    throw new OtfgenArgumentError(`${argument}.otfgen`, `expected '${RECIPE_TAG}' (a recipe this otfgen reads), got ${describe(r.otfgen)}`);
  }
  const t = r.task;
  if (!t || typeof t !== 'object') throw new OtfgenArgumentError(`${argument}.task`, 'expected { name, version, origin? }');
  checkKeys(`${argument}.task`, t, ['name', 'version', 'origin']);
  if (typeof t.name !== 'string' || t.name === '') throw new OtfgenArgumentError(`${argument}.task.name`, `expected a task's name, got ${describe(t.name)}`);
  checkInt(`${argument}.task.version`, t.version, 1);
  if (t.origin !== undefined) {
    const o = t.origin;
    if (!o || typeof o !== 'object' || typeof o.module !== 'string' || typeof o.export !== 'string' || (o.args !== undefined && !Array.isArray(o.args))) {
      throw new OtfgenArgumentError(`${argument}.task.origin`, `expected { module, export, args? } (strings, and an array), got ${describe(o)}`);
    }
  }
  checkSeed(`${argument}.seed`, r.seed);
  checkInt(`${argument}.count`, r.count, 1, 2 ** 31 - 1);
  checkInt(`${argument}.batchSize`, r.batchSize, 1);
  if (!r.params || typeof r.params !== 'object' || Array.isArray(r.params)) {
    throw new OtfgenArgumentError(`${argument}.params`, `expected an object of the task's parameters (may be empty), got ${describe(r.params)}`);
  }
  if (r.output !== undefined) {
    const o = r.output;
    if (!o || typeof o !== 'object') throw new OtfgenArgumentError(`${argument}.output`, `expected { format, dtype, split? }, got ${describe(o)}`);
    checkKeys(`${argument}.output`, o, ['format', 'dtype', 'split']);
    if (o.format !== 'idx' && o.format !== 'npy')
      throw new OtfgenArgumentError(`${argument}.output.format`, `expected 'idx' or 'npy', got ${describe(o.format)}`);
    if (o.dtype !== 'uint8' && o.dtype !== 'float32')
      throw new OtfgenArgumentError(`${argument}.output.dtype`, `expected 'uint8' or 'float32', got ${describe(o.dtype)}`);
    if (o.split !== undefined && o.split !== 'train' && o.split !== 'test')
      throw new OtfgenArgumentError(`${argument}.output.split`, `expected 'train' or 'test', got ${describe(o.split)}`);
  }
  return r;
}

/**
 * Checks that `task` is the task the recipe names, at the version it names: a
 * task at another version throws {@link OtfgenVersionError} naming both.
 */
export function checkRecipeTask(recipe: Recipe, task: Task<any>, argument = 'recipe'): void {
  if (task.name !== recipe.task.name) {
    throw new OtfgenArgumentError(`${argument}.task.name`, `the recipe is for task '${recipe.task.name}', and the task given is '${task.name}'`);
  }
  if (task.version !== recipe.task.version) throw new OtfgenVersionError(`${argument}.task.version`, task.name, recipe.task.version, task.version);
  checkBatchSize(`${argument}.batchSize`, recipe.batchSize, task.sampleShape);
}

/**
 * A built-in task (or one of its factories) a recipe names, at the version
 * it names. A task from a module of your own: pass it to
 * {@link generateRecipe} (or, in Node, let `otfgen/node`'s `recipeTask` import it).
 */
export function builtInRecipeTask(recipe: Recipe, argument = 'recipe'): Task<any> {
  const origin = recipe.task.origin ?? { module: 'otfgen', export: '*' };
  let task: Task<any> | null;
  try {
    task = builtInFromOrigin(origin, recipe.task.name);
  } catch (e) {
    throw new OtfgenArgumentError(`${argument}.task`, `${(e as Error).message}: not a built-in task of this otfgen`);
  }
  if (!task) {
    throw new OtfgenArgumentError(
      `${argument}.task.origin`,
      `task '${recipe.task.name}' comes from the module ${origin.module}: pass the task itself (generateRecipe(recipe, { task })), or in Node use recipeTask from 'otfgen/node'`,
    );
  }
  checkRecipeTask(recipe, task, argument);
  return task;
}

/** True when JSON carries the value unchanged (no typed arrays, functions, undefined or non-finite numbers). */
export function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(jsonSafe);
  return false;
}

/** Batches a recipe's data set spans: ceil(count / batchSize). */
export function recipeBatches(recipe: Recipe): number {
  return Math.ceil(recipe.count / recipe.batchSize);
}

/**
 * The recipe's data set as a stream: its `count` samples in batches of
 * `batchSize` (the last one cut to what is left), the same bytes on every
 * run and machine. A built-in task is found from the recipe; a task of your
 * own is passed as `task` and checked against the recipe's name and version.
 * @example
 * ```ts
 * import { checkRecipe } from 'otfgen';
 * const recipe = await (await fetch('/data/recipe.json')).json();
 * for await (const batch of generateRecipe(recipe)) trainOn(batch);
 * ```
 */
export function generateRecipe(recipe: Recipe, options: { readonly task?: Task<any> } = {}): Stream<Batch> {
  checkKeys('generateRecipe options', options, ['task']);
  const r = checkRecipe(recipe);
  const task = options.task === undefined ? builtInRecipeTask(r) : (checkTask('generateRecipe options.task', options.task), options.task);
  checkRecipeTask(r, task);
  const batches = recipeBatches(r);
  const last = r.count - (batches - 1) * r.batchSize;
  return generate(task, { seed: r.seed, batchSize: r.batchSize, params: r.params as never, batches }).map((b, i) =>
    i === batches - 1 && last < b.size ? cut(b, last) : b,
  );
}

/** The first `size` samples of a batch, in arrays of their own. */
function cut(b: Batch, size: number): Batch {
  const n = b.x.length / b.size,
    t = b.y.length / b.size;
  return { ...b, size, x: b.x.slice(0, size * n), y: b.y.slice(0, size * t) };
}
