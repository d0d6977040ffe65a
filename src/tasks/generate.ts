/**
 * generate: an endless, seeded stream of batches from a task. Batch k depends
 * only on (seed, k, params), so it can be made alone, in any worker, in any order.
 */
import { allocBatch, checkBatchSize, detachArrays, targetLength, type Batch, type BatchArrays } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenTaskError, checkBoolean, checkInt, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { Stream } from '../stream/stream.js';
import { checkParamValue, checkTask, paramSpec, type ParamSpace, type ParamValues, type Task } from './define-task.js';

/**
 * Parameters for a stream: fixed, or a function of the batch index (a controller may steer it).
 */
export type ParamsOption<P extends ParamSpace> = Partial<ParamValues<P>> | ((batchIndex: number) => Partial<ParamValues<P>>);

/** Options of {@link generate}. */
export interface GenerateOptions<P extends ParamSpace> {
  /** The stream's seed, an integer or any text (default 0): same seed, same options, same bytes. */
  readonly seed?: Seed;
  /** Samples per batch, default 64. */
  readonly batchSize?: number;
  /** Overrides of the task's defaults; each is checked against its declared range. */
  readonly params?: ParamsOption<P>;
  /** Stop after this many batches (default: endless). */
  readonly batches?: number;
  /** Index of the first batch (default 0): a stream can resume where another left off. */
  readonly startBatch?: number;
  /**
   * Reuse batch memory (default false): when you ask for the next batch, the
   * previous one's arrays are drawn over (in a worker, with `workers`), so no
   * memory is allocated or freed per batch. The previous batch's `x` and `y`
   * are detached then (length 0): use a batch fully before asking for the next
   * one (make its tensors and dispose of them, as `train` does), or copy what
   * you keep (`batch.x.slice()`). Not with `toArray()`, `prefetch` or anything
   * else that holds batches. On the cpu backend `tf.tensor(batch.x)` does not
   * copy, so a tensor kept past that point loses its data. Same bytes either way.
   */
  readonly recycle?: boolean;
}

/**
 * @example
 * ```ts
 * import { generate, pixelCount } from 'otfgen';
 * for await (const batch of generate(pixelCount, { seed: 1, batchSize: 64 }).take(10)) {
 *   console.log(batch.size, batch.y[0]);
 * }
 * ```
 */
export function generate<P extends ParamSpace>(task: Task<P>, options: GenerateOptions<P> = {}): GeneratedStream<P> {
  checkTask('generate(task)', task);
  const workers = (options as { workers?: unknown }).workers;
  if (workers !== undefined) {
    throw new OtfgenArgumentError('generate options.workers', "worker threads are Node-only: import { generateInWorkers } from 'otfgen/node'");
  }
  checkKeys('generate options', options, ['seed', 'batchSize', 'params', 'batches', 'startBatch', 'recycle']);
  const batchSize = checkBatchSize('generate options.batchSize', options.batchSize ?? 64, task.sampleShape);
  const start = checkInt('generate options.startBatch', options.startBatch ?? 0, 0);
  const count = options.batches === undefined ? Infinity : checkInt('generate options.batches', options.batches, 0);
  const seed = checkSeed('generate options.seed', options.seed ?? 0);
  const paramsAt = compileParams(task, options.params);
  const recycle = checkBoolean('generate options.recycle', options.recycle ?? false);
  return new GeneratedStream<P>(
    task,
    function* () {
      let lent: Batch | null = null;
      for (let k = start; k < start + count; k++) {
        const into: BatchArrays | undefined = lent ? detachArrays(lent) : undefined;
        const batch: Batch = renderBatchWith(task, seed, k, batchSize, paramsAt(k), into);
        if (recycle) lent = batch;
        yield batch;
      }
    },
    count,
  );
}

/** The stream `generate` returns: a Stream of batches that also names its task. */
export class GeneratedStream<P extends ParamSpace> extends Stream<Batch> {
  constructor(
    /** The task the stream generates. */
    readonly task: Task<P>,
    make: () => Iterator<Batch>,
    size: number,
  ) {
    super(() => {
      const it = make();
      return {
        next: async () => it.next(),
        return: async () => (it.return?.(), { done: true, value: undefined }),
      };
    }, size);
  }
}

/**
 * Makes batch `index` of the stream `generate(task, { seed, batchSize, params })`
 * on its own: the same bytes the stream yields at that position.
 *
 * `into` reuses arrays (for example the previous batch's, once you are done
 * with it): they are zeroed, then written, and the batch returned holds them.
 * @example
 * ```ts
 * const first = renderBatch(digits, { seed: 1, index: 0 });
 * // ... use first, then draw batch 1 over it:
 * const second = renderBatch(digits, { seed: 1, index: 1, into: first });
 * ```
 */
export function renderBatch<P extends ParamSpace>(
  task: Task<P>,
  options: { seed?: Seed; index: number; batchSize?: number; params?: Partial<ParamValues<P>>; into?: BatchArrays },
): Batch {
  checkKeys('renderBatch options', options, ['seed', 'index', 'batchSize', 'params', 'into']);
  checkTask('renderBatch(task)', task);
  const index = checkInt('renderBatch options.index', options.index, 0);
  const batchSize = checkBatchSize('renderBatch options.batchSize', options.batchSize ?? 64, task.sampleShape);
  const into = options.into;
  if (into !== undefined) checkInto(task, batchSize, into);
  return renderBatchWith(task, checkSeed('renderBatch options.seed', options.seed ?? 0), index, batchSize, compileParams(task, options.params)(index), into);
}

function checkInto(task: Task<any>, batchSize: number, into: BatchArrays): void {
  const t = task.target;
  const yKind = t.kind === 'class' ? Int32Array : Float32Array;
  const xLength = batchSize * task.sampleLength,
    yLength = batchSize * targetLength(t);
  if (!(into?.x instanceof Float32Array) || into.x.length !== xLength) {
    throw new OtfgenArgumentError(
      'renderBatch options.into.x',
      `expected a Float32Array of ${xLength} values (batch ${batchSize} × ${task.sampleLength}), got ${describe(into?.x)}${into?.x?.length !== undefined ? ` of length ${into.x.length}` : ''}`,
    );
  }
  if (!(into.y instanceof yKind) || into.y.length !== yLength) {
    throw new OtfgenArgumentError(
      'renderBatch options.into.y',
      `expected a${yKind === Int32Array ? 'n Int32Array' : ' Float32Array'} of ${yLength} values for task '${task.name}', got ${describe(into.y)}${into.y?.length !== undefined ? ` of length ${into.y.length}` : ''}`,
    );
  }
}

/** Params ready for one batch: fixed values, ranged ones to draw per sample, class weights. */
interface CompiledParams {
  readonly values: Record<string, unknown>;
  readonly rangedKeys: readonly string[];
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly integer: Uint8Array;
  readonly classWeights: readonly number[] | null;
}

function compileParams<P extends ParamSpace>(task: Task<P>, params: ParamsOption<P> | undefined): (k: number) => CompiledParams {
  if (params !== undefined && typeof params !== 'function' && (typeof params !== 'object' || params === null)) {
    throw new OtfgenArgumentError('generate options.params', `expected an object or a function of the batch index, got ${describe(params)}`);
  }
  if (typeof params === 'function') return (k) => compileOnce(task, params(k), `params(${k})`);
  const fixed = compileOnce(task, params ?? {}, 'generate options.params');
  return () => fixed;
}

/**
 * Checks fixed params for a task as {@link generate} does (each key declared,
 * each value in its range), naming them `argument` in errors, e.g. 'sweep params'.
 */
export function checkParams<P extends ParamSpace>(task: Task<P>, params: Partial<ParamValues<P>>, argument: string): void {
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw new OtfgenArgumentError(argument, `expected an object of ${task.name}'s parameters, got ${describe(params)}`);
  compileOnce(task, params, argument);
}

function compileOnce<P extends ParamSpace>(task: Task<P>, given: Partial<ParamValues<P>>, where: string): CompiledParams {
  for (const key of Object.keys(given ?? {})) paramSpec(task, key, `${where}.${key}`);
  const values: Record<string, unknown> = {};
  const rangedKeys: string[] = [];
  const lo: number[] = [],
    hi: number[] = [],
    integer: number[] = [];
  let classWeights: readonly number[] | null = null;
  for (const [key, spec] of Object.entries(task.params)) {
    const value = (given as Record<string, unknown>)?.[key] ?? spec.default;
    if (spec.type === 'weights') {
      const w = value ?? new Array(spec.length).fill(1);
      if (value !== undefined) checkParamValue(`${where}.${key}`, spec, w);
      values[key] = w;
      if (key === 'classWeights' && task.conditional) classWeights = w as number[];
      continue;
    }
    checkParamValue(`${where}.${key}`, spec, value);
    if (typeof value === 'number') values[key] = value;
    else {
      const [a, b] = value as [number, number];
      values[key] = a;
      rangedKeys.push(key);
      lo.push(a);
      hi.push(b);
      integer.push(spec.integer ? 1 : 0);
    }
  }
  return {
    values,
    rangedKeys,
    lo: Float64Array.from(lo),
    hi: Float64Array.from(hi),
    integer: Uint8Array.from(integer),
    classWeights,
  };
}

function renderBatchWith<P extends ParamSpace>(task: Task<P>, seed: Seed, k: number, batchSize: number, p: CompiledParams, into?: BatchArrays): Batch {
  const rng = Rng.forIndex(seed, k, task.name);
  // Reused arrays are zeroed first: a task may write only the pixels it draws.
  const batch = into
    ? { x: into.x.fill(0), y: into.y.fill(0), size: batchSize, sampleShape: task.sampleShape, target: task.target }
    : allocBatch(batchSize, task.sampleShape, task.target);
  const n = task.sampleLength;
  const params = { ...p.values } as Record<string, number>;
  const t = task.target;
  const tSize = t.kind === 'class' ? 1 : t.size;
  const wTotal = p.classWeights ? p.classWeights.reduce((a, b) => a + b, 0) : 0;
  let i = 0;
  try {
    for (; i < batchSize; i++) {
      for (let r = 0; r < p.rangedKeys.length; r++) {
        const v = p.lo[r] + (p.hi[r] - p.lo[r]) * rng.next();
        params[p.rangedKeys[r]] = p.integer[r] ? Math.min(Math.floor(v), p.hi[r]) : v;
      }
      const label = p.classWeights ? rng.pick(p.classWeights, wTotal) : 0;
      const y = task.render(rng, params as never, batch.x, i * n, label, batch.y, i * tSize);
      if (t.kind === 'class') {
        if (!(Number.isInteger(y) && (y as number) >= 0 && (y as number) < t.classes)) {
          throw new Error(`render returned ${describe(y)}, expected a class id in [0, ${t.classes - 1}]`);
        }
        batch.y[i] = y as number;
      } else if (t.size === 1) {
        if (typeof y !== 'number' || !Number.isFinite(y)) throw new Error(`render returned ${describe(y)}, expected a finite number`);
        batch.y[i] = y;
      }
    }
  } catch (e) {
    throw new OtfgenTaskError(task.name, k, e);
  }
  return batch;
}
