/**
 * defineTask: the public way to describe a procedural task. A task is data:
 * a name, a sample shape, a target spec, a declared parameter space, and a
 * `render` that writes one sample into a preallocated array.
 */
import { sampleLength, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** A numeric parameter: a fixed value, or drawn uniformly per sample from a `[lo, hi]` range. */
export interface NumberParam {
  /** 'number', the default kind: may be left out. */
  readonly type?: 'number';
  /** The smallest value a user may give (a fixed value or a range's ends). */
  readonly min: number;
  /** The largest value a user may give. */
  readonly max: number;
  /** Used when the user gives none: a fixed value, or a `[lo, hi]` range drawn per sample. */
  readonly default: number | readonly [number, number];
  /** Integer-valued (drawn values are floored). */
  readonly integer?: boolean;
  /**
   * Which way a larger value pushes the output, for controllers and docs, e.g.
   * 'thicker strokes'. Free text.
   */
  readonly description?: string;
}

/** A vector of non-negative weights (not all zero), e.g. per-class or per-style sampling weights. */
export interface WeightsParam {
  /** Marks a weights parameter. */
  readonly type: 'weights';
  /** How many weights, e.g. the number of classes. */
  readonly length: number;
  /** Used when the user gives none; without it every weight is 1 (uniform). */
  readonly default?: readonly number[];
  /** What the weights weigh, for controllers and docs. Free text. */
  readonly description?: string;
}

/** One declared parameter: a number (fixed or a range) or a vector of weights. */
export type ParamSpec = NumberParam | WeightsParam;
/** A task's declared parameters by name: what users may set and controllers may steer. */
export type ParamSpace = Readonly<Record<string, ParamSpec>>;

/** What a user may pass for each parameter. */
export type ParamValues<P extends ParamSpace> = {
  [K in keyof P]: NonNullable<P[K]> extends WeightsParam ? readonly number[] : number | readonly [number, number];
};

/**
 * What `render` sees: every number drawn for this sample, weights as given.
 */
export type ResolvedParams<P extends ParamSpace> = {
  readonly [K in keyof P]: NonNullable<P[K]> extends WeightsParam ? readonly number[] : number;
};

/**
 * Writes one sample into `out` at `offset` (values in [0, 1]) and returns its
 * target: the class id for class tasks (conditional tasks are asked for
 * `label` and should return it), the value for 1-value regression. Vector
 * regression targets are written to `y` at `yOffset`.
 * @inline
 */
export type RenderFn<P extends ParamSpace> = (
  rng: Rng,
  params: ResolvedParams<P>,
  out: Float32Array,
  offset: number,
  label: number,
  y: Float32Array | Int32Array,
  yOffset: number,
) => number | void;

/** What `defineTask` takes: a task described as data plus one `render` function. */
export interface TaskDefinition<P extends ParamSpace> {
  /** Unique name, used by the CLI and in errors. */
  readonly name: string;
  /** One line on what the samples show and what the target is. */
  readonly description?: string;
  /**
   * The version of what `render` draws (a positive integer, default 1). Raise
   * it whenever a change gives other bytes for the same seed and parameters: a
   * recipe names the version its data was drawn with, and is refused by a task
   * at another version instead of silently giving other data.
   */
  readonly version?: number;
  /** e.g. [28, 28, 1] (height, width, channels). */
  readonly sampleShape: readonly number[];
  /** What each sample's target is: a class id, or regression values. */
  readonly target: TargetSpec;
  /** Declared parameters with their ranges and defaults. */
  readonly params: P;
  /**
   * Class tasks only: true (default) when the generator chooses each sample's
   * class (by the `classWeights` parameter, added automatically) and `render`
   * draws it; false when `render` decides the class itself.
   */
  readonly conditional?: boolean;
  /** Writes one sample and returns its target; see `RenderFn`. It must draw its randomness from `rng` alone, so that a seed gives the same bytes. */
  readonly render: RenderFn<P>;
  /**
   * How another thread can rebuild this task (generation in worker threads):
   * an ES module URL or path and the name of its export, which is the task or
   * a factory called with `args` (structured-cloneable). Built-in tasks set it.
   * @example
   * ```ts
   * // bars.ts, a module of its own: a worker imports it and takes its export `bars`.
   * export const bars = defineTask({ ...definition, origin: { module: import.meta.url, export: 'bars' } });
   * ```
   */
  readonly origin?: TaskOrigin;
}

/**
 * Where a task can be rebuilt from: `module` 'otfgen' means otfgen's own exports.
 * @inline
 */
export interface TaskOrigin {
  /** An ES module URL or path (e.g. `import.meta.url`), or 'otfgen'. */
  readonly module: string;
  /** The name of the module's export: the task itself, or a factory of it. */
  readonly export: string;
  /** Arguments for a factory export (structured-cloneable); leave out when the export is the task. */
  readonly args?: readonly unknown[];
}

/**
 * A parameter space plus the `classWeights` every conditional class task gets.
 */
export type WithClassWeights<P extends ParamSpace> = P & {
  /** Relative sampling weight of each class (uniform unless given). */
  readonly classWeights?: WeightsParam;
};

/** A defined task. The class weights parameter of conditional class tasks is part of `params`. */
export interface Task<P extends ParamSpace = ParamSpace> extends TaskDefinition<P> {
  /** True when the generator picks each sample's class (by `classWeights`) and passes it to `render`. */
  readonly conditional: boolean;
  /** Values in one sample. */
  readonly sampleLength: number;
  /** What `render` draws: see {@link TaskDefinition.version}. */
  readonly version: number;
}

const NAME = /^[a-z][a-zA-Z0-9-]*$/;

/**
 * Defines a task, checking the definition once so that generation never has to.
 *
 * @example
 * ```ts
 * const stripes = defineTask({
 *   name: 'stripes',
 *   sampleShape: [28, 28, 1],
 *   target: { kind: 'class', classes: 2 },
 *   params: { contrast: { min: 0, max: 1, default: 1 } },
 *   render(rng, p, out, offset, label) {
 *     for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++)
 *       out[offset + r * 28 + c] = ((label ? r : c) >> 2) & 1 ? p.contrast : 0;
 *     return label;
 *   },
 * });
 * ```
 */
export function defineTask<P extends ParamSpace>(def: TaskDefinition<P>): Task<WithClassWeights<P>> {
  checkKeys('defineTask(definition)', def, ['name', 'description', 'version', 'sampleShape', 'target', 'params', 'conditional', 'render', 'origin']);
  if (!def || typeof def !== 'object') throw new OtfgenArgumentError('defineTask(definition)', 'expected an object');
  if (typeof def.name !== 'string' || !NAME.test(def.name)) {
    throw new OtfgenArgumentError(
      'defineTask name',
      `expected a name like 'my-task' (letters, digits, dashes, starting with a lower-case letter), got ${describe(def.name)}`,
    );
  }
  const where = `task '${def.name}'`;
  const version = checkInt(`${where} version`, def.version ?? 1, 1);
  if (!Array.isArray(def.sampleShape) || def.sampleShape.length === 0) {
    throw new OtfgenArgumentError(`${where} sampleShape`, 'expected a non-empty array of positive integers, e.g. [28, 28, 1]');
  }
  def.sampleShape.forEach((d, i) => checkInt(`${where} sampleShape[${i}]`, d, 1));
  const t = def.target;
  if (!t || (t.kind !== 'class' && t.kind !== 'regression')) {
    throw new OtfgenArgumentError(`${where} target`, "expected { kind: 'class', classes } or { kind: 'regression', size }");
  }
  if (t.kind === 'class') checkInt(`${where} target.classes`, t.classes, 2);
  else checkInt(`${where} target.size`, t.size, 1);
  if (typeof def.render !== 'function') throw new OtfgenArgumentError(`${where} render`, 'expected a function (rng, params, out, offset, label) => target');
  const conditional = t.kind === 'class' && def.conditional !== false;
  const params: Record<string, ParamSpec> = { ...(def.params ?? {}) };
  for (const [key, spec] of Object.entries(params)) checkSpec(`${where} params.${key}`, spec);
  if (conditional && !params.classWeights) {
    params.classWeights = {
      type: 'weights',
      length: (t as { classes: number }).classes,
      description: 'relative sampling weight of each class',
    };
  }
  return Object.freeze({
    ...def,
    params: Object.freeze(params) as unknown as WithClassWeights<P>,
    conditional,
    sampleLength: sampleLength(def.sampleShape),
    version,
  }) as Task<WithClassWeights<P>>;
}

function checkSpec(name: string, spec: ParamSpec): void {
  if (!spec || typeof spec !== 'object') throw new OtfgenArgumentError(name, 'expected { min, max, default } or { type: "weights", length }');
  if (spec.type === 'weights') {
    checkInt(`${name}.length`, spec.length, 1);
    if (spec.default) checkParamValue(name, spec, spec.default);
    return;
  }
  if (!(Number.isFinite(spec.min) && Number.isFinite(spec.max) && spec.min <= spec.max)) {
    throw new OtfgenArgumentError(name, `expected finite min <= max, got min ${spec.min}, max ${spec.max}`);
  }
  checkParamValue(`${name}.default`, spec, spec.default);
}

/** The declared spec of the task's parameter `key`; an unknown name throws an error naming `argument` and listing the task's parameters. */
export function paramSpec(task: Task<any>, key: string, argument: string): ParamSpec {
  if (!Object.hasOwn(task.params, key)) {
    throw new OtfgenArgumentError(argument, `task '${task.name}' has no such parameter; it has: ${Object.keys(task.params).join(', ') || 'none'}`);
  }
  return (task.params as ParamSpace)[key];
}

/** Throws an error naming `name` unless `value` fits `spec`. */
export function checkParamValue(name: string, spec: ParamSpec, value: unknown): void {
  if (spec.type === 'weights') {
    const ok =
      (Array.isArray(value) || ArrayBuffer.isView(value)) &&
      (value as ArrayLike<number>).length === spec.length &&
      Array.from(value as ArrayLike<number>).every((v) => Number.isFinite(v) && v >= 0) &&
      Array.from(value as ArrayLike<number>).some((v) => v > 0);
    if (!ok) throw new OtfgenArgumentError(name, `expected ${spec.length} non-negative weights, not all zero; got ${describe(value)}`);
    return;
  }
  const inRange = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= spec.min && v <= spec.max;
  if (inRange(value)) return;
  if (Array.isArray(value) && value.length === 2 && inRange(value[0]) && inRange(value[1]) && value[0] <= value[1]) return;
  throw new OtfgenArgumentError(name, `expected a number or a [lo, hi] range within [${spec.min}, ${spec.max}], got ${describe(value)}`);
}

/**
 * Checks that `task` is a task (made by `defineTask`, or a built-in), naming the argument; a
 * task's name given instead points to `taskByName`.
 */
export function checkTask(argument: string, task: unknown): void {
  const t = task as Partial<Task<ParamSpace>> | null | undefined;
  if (t && typeof t.render === 'function' && typeof t.sampleLength === 'number' && t.params) return;
  const byName = typeof task === 'string' ? `; for a built-in task by name, pass taskByName(${JSON.stringify(task)})` : '';
  throw new OtfgenArgumentError(argument, `expected a task made by defineTask (or a built-in such as digits), got ${describe(task)}${byName}`);
}
