/**
 * Generation in a pool of workers, whatever the threads are (Node's worker
 * threads or the browser's Web Workers): the message plan, the messages, the
 * ordered, bounded stream on the consumer's side, and the loop a worker runs.
 * Batch k depends only on the seed, k and the params, so the stream's bytes
 * are those of one thread whatever the number of workers.
 */
import { detachArrays, sampleLength, targetLength, type Batch, type BatchArrays } from '../core/batch.js';
import { OtfgenTaskError, checkInt } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { Stream, type StreamSize } from '../stream/stream.js';
import type { Task, TaskOrigin } from './define-task.js';
import { renderBatch, type GenerateOptions } from './generate.js';
import { taskFromOrigin } from './origin.js';

/** Messages from the consumer to a generation worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly origin: TaskOrigin; /** The task's name, to find it when origin.export is '*'. */ readonly name: string }
  | {
      readonly type: 'render';
      /** The first batch to render; the message asks for `params.length` batches from there. */
      readonly index: number;
      readonly seed: Seed;
      readonly batchSize: number;
      /** Each batch's parameters. */
      readonly params: readonly Record<string, unknown>[];
      /** Arrays to draw over (as many as there are, the first batches first), transferred back: with `recycle` batches the consumer is done with, else the worker's own from earlier batches. */
      readonly into: readonly BatchArrays[];
    };

/** Messages from a generation worker to the consumer. */
export type FromWorker =
  | { readonly type: 'ready'; readonly name: string }
  /** Batches `index`, `index + 1`, ... in order. */
  | { readonly type: 'batch'; readonly index: number; readonly batches: readonly BatchArrays[] }
  | { readonly type: 'error'; readonly index: number; readonly message: string };

/**
 * Bytes of batches per message between a worker and the consumer (10 batches of
 * 64 digits): a message costs each side more than a batch's bytes, so several
 * batches travel together (docs/speed.md has the measurements).
 */
const MESSAGE_BYTES = 2 ** 21;
/** Past this, more batches a message save nothing worth the wait for the first. */
const MAX_PER_MESSAGE = 16;

/**
 * How many batches of `batchSize` each worker runs ahead (`prefetch`, by
 * default two messages' worth: one to render while the other waits its turn)
 * and how many travel in one message.
 */
export function messagePlan(task: Task<any>, batchSize: number, prefetch: number | undefined, argument: string): { prefetch: number; perMessage: number } {
  const batchBytes = batchSize * (sampleLength(task.sampleShape) + targetLength(task.target)) * 4; // x and y hold 4-byte values
  const fit = Math.max(1, Math.min(MAX_PER_MESSAGE, Math.floor(MESSAGE_BYTES / batchBytes)));
  const ahead = checkInt(argument, prefetch ?? 2 * fit, 1, 1024);
  return { prefetch: ahead, perMessage: Math.max(1, Math.min(fit, Math.floor(ahead / 2))) };
}

/** One worker of a pool, as the pool drives it. */
export interface PoolWorker {
  /** Sends a message, moving the `transfer` buffers. */
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  /** Stops the worker; settles once it has stopped. */
  terminate(): Promise<unknown>;
  /** Node only: whether the worker keeps the process alive (while the consumer waits for it). */
  hold?(held: boolean): void;
}

/** What a pool hears from each worker. */
export interface PoolEvents {
  message(m: FromWorker): void;
  error(e: unknown): void;
  /** The worker ended (Node reports it; browsers do not). */
  exit(code: number): void;
}

/** What {@link pooledStream} makes: the stream `generate(task, options)` would, in `workers` workers. */
export interface PoolPlan {
  readonly workers: number;
  readonly origin: TaskOrigin;
  readonly seed: Seed;
  readonly batchSize: number;
  readonly startBatch: number;
  readonly batches: number;
  readonly params: (batchIndex: number) => Record<string, unknown>;
  readonly recycle: boolean;
  readonly prefetch: number;
  readonly perMessage: number;
  /** The stream's size, as `Stream` takes it. */
  readonly size: StreamSize;
}

/** A pool's plan from `generate`'s options (their defaults filled in) and the pool's own settings. */
export function poolPlan(
  options: GenerateOptions<any>,
  pool: Pick<PoolPlan, 'workers' | 'origin' | 'batchSize' | 'prefetch' | 'perMessage' | 'size'>,
): PoolPlan {
  const { params } = options;
  return {
    ...pool,
    seed: options.seed ?? 0,
    startBatch: options.startBatch ?? 0,
    batches: options.batches ?? Infinity,
    params: (k) => (typeof params === 'function' ? params(k) : (params ?? {})) as Record<string, unknown>,
    recycle: options.recycle ?? false,
  };
}

/**
 * The batches of `plan` rendered by `plan.workers` workers that `start` makes
 * when the stream is first read: in order, at most `prefetch` batches a worker
 * ahead, several to a message, and every worker stopped when the stream ends,
 * fails or is left (`return()`).
 */
export function pooledStream(task: Task<any>, plan: PoolPlan, start: (index: number, events: PoolEvents) => PoolWorker): Stream<Batch> {
  const { workers: n, origin, seed, batchSize, recycle, prefetch, perMessage, size } = plan;
  const paramsAt = plan.params;
  const end = plan.startBatch + plan.batches;
  return new Stream<Batch>(() => {
    let pool: PoolWorker[] = [];
    const waiting = new Map<number, { promise: Promise<Batch>; resolve: (b: Batch) => void; reject: (e: unknown) => void }>();
    let failure: unknown = null; // a worker crashed or could not start: nothing more will come
    let failedAt = Infinity; // a batch whose render failed: those before it still arrive, in order
    let closed = false;
    let next = plan.startBatch;
    let dispatched = plan.startBatch;
    let lent: Batch | null = null; // with recycle: the batch last handed out, whose arrays return on the next call
    const spare: BatchArrays[] = []; // arrays to send with the next renders (the consumer's with recycle, else the workers' own)

    const slot = (k: number) => {
      let d = waiting.get(k);
      if (!d) {
        let resolve!: (b: Batch) => void, reject!: (e: unknown) => void;
        const promise = new Promise<Batch>((res, rej) => ((resolve = res), (reject = rej)));
        promise.catch(() => {}); // batches fetched ahead may fail unseen; the consumer sees its own
        d = { promise, resolve, reject };
        waiting.set(k, d);
        if (failure) reject(failure);
      }
      return d;
    };
    let stopped: Promise<unknown> = Promise.resolve(); // every worker terminated so far
    const shutdown = async () => {
      closed = true;
      const all = pool;
      pool = [];
      // Held first: in Node an idle (unref'd) worker's pending exit does not keep
      // the process running, and it would end, silently, inside this await.
      for (const w of all) w.hold?.(true);
      // Each call waits for every termination begun before it: a failing worker
      // starts the shutdown, and the consumer's error must not arrive first.
      stopped = Promise.all([stopped, ...all.map((w) => w.terminate())]);
      await stopped;
    };
    const fail = (error: unknown) => {
      if (failure) return;
      failure = error;
      for (const d of waiting.values()) d.reject(error);
      void shutdown();
    };
    const open = () => {
      for (let i = 0; i < n; i++) {
        const w = start(i, {
          message: (m: FromWorker) => {
            if (m.type === 'ready') return;
            if (m.type === 'batch') {
              // The worker's own arrays; without recycle, next() hands out a copy.
              m.batches.forEach((b, j) => slot(m.index + j).resolve({ x: b.x, y: b.y, size: batchSize, sampleShape: task.sampleShape, target: task.target }));
            } else if (m.index < 0) {
              fail(new OtfgenTaskError(task.name, next, new Error(m.message)));
            } else {
              failedAt = Math.min(failedAt, m.index);
              slot(m.index).reject(new OtfgenTaskError(task.name, m.index, new Error(m.message)));
            }
          },
          error: (e: unknown) => fail(new OtfgenTaskError(task.name, next, e)),
          exit: (code: number) => {
            if (!closed) fail(new OtfgenTaskError(task.name, next, new Error(`worker ${i} exited unexpectedly (code ${code})`)));
          },
        });
        w.post({ type: 'init', origin, name: task.name }, []);
        pool.push(w);
      }
    };
    let messages = 0;
    // Batches k .. k + count - 1 to the next worker in turn, in one message.
    const dispatch = (k: number, count: number) => {
      const params: Record<string, unknown>[] = [];
      const into: BatchArrays[] = [];
      const transfer: ArrayBuffer[] = [];
      for (let j = 0; j < count; j++) {
        slot(k + j);
        params.push(paramsAt(k + j));
        const arrays = spare.pop();
        if (!arrays) continue;
        into.push(arrays);
        transfer.push(arrays.x.buffer as ArrayBuffer, arrays.y.buffer as ArrayBuffer);
      }
      pool[messages++ % n].post({ type: 'render', index: k, seed, batchSize, params, into }, transfer);
    };

    return {
      async next(): Promise<IteratorResult<Batch>> {
        if (closed && !failure) return { done: true, value: undefined };
        if (next >= end) {
          await shutdown();
          return { done: true, value: undefined };
        }
        if (!failure && pool.length === 0) open();
        // Workers keep a Node process alive only while the consumer waits in here:
        // a stream dropped without return() never holds Node open.
        for (const w of pool) w.hold?.(true);
        if (lent) {
          // Moved (not copied) out of the consumer's hands now, whether or not a
          // render takes it this time: the batch is detached on every call alike.
          spare.push(detachArrays(lent));
          lent = null;
        }
        try {
          // Whole messages only, but for the stream's last batches.
          const last = Math.min(end, failedAt);
          const until = Math.min(last, next + n * prefetch);
          while (!failure && (dispatched + perMessage <= until || (until === last && dispatched < last))) {
            const count = Math.min(perMessage, last - dispatched);
            dispatch(dispatched, count);
            dispatched += count;
          }
          const batch = await slot(next).promise;
          waiting.delete(next);
          next++;
          if (recycle) {
            lent = batch;
            return { done: false, value: batch };
          }
          // Fresh memory: the consumer gets a copy made here, as it takes the
          // batch, and the worker's arrays go back to be drawn over. A copy made
          // now dies young, as a one-thread batch does; the worker's own arrays,
          // or copies made on arrival, wait in the queue long enough to be
          // promoted to V8's old generation, whose full collections then stall a
          // consumer with a large heap (docs/speed.md; `npm run study -- bench
          // --only consumer` measures it). The typed-array constructor copies
          // faster than slice().
          const copy: Batch = { ...batch, x: new Float32Array(batch.x), y: batch.y.slice() };
          spare.push({ x: batch.x, y: batch.y });
          return { done: false, value: copy };
        } catch (e) {
          await shutdown();
          throw e;
        } finally {
          for (const w of pool) w.hold?.(false);
        }
      },
      async return(): Promise<IteratorResult<Batch>> {
        await shutdown();
        return { done: true, value: undefined };
      },
    };
  }, size);
}

/**
 * A worker's side: rebuilds the task named by 'init' (its module imported by
 * `load`), then renders the batches each 'render' asks for and sends them
 * back, one reply a message, their buffers transferred.
 */
export function serveGeneration(
  post: (m: FromWorker, transfer: ArrayBuffer[]) => void,
  load: (module: string) => Promise<Record<string, unknown>>,
): (m: ToWorker) => void {
  let task: Task<any> | null = null;
  // Messages are handled one after another: 'init' awaits an import, and the
  // renders sent right behind it must wait for the task.
  let queue: Promise<void> = Promise.resolve();
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'init') {
      try {
        task = await taskFromOrigin(m.origin, m.name, load);
        post({ type: 'ready', name: task.name }, []);
      } catch (e) {
        post({ type: 'error', index: -1, message: `cannot rebuild the task in a worker: ${(e as Error).message}` }, []);
      }
      return;
    }
    if (!task) return; // init failed and said so; the consumer is shutting the worker down
    // One reply for the whole message: messages cost each side more than a batch's bytes.
    const done: BatchArrays[] = [];
    const transfer: ArrayBuffer[] = [];
    let k = m.index;
    try {
      for (; k < m.index + m.params.length; k++) {
        const b = renderBatch(task, { seed: m.seed, index: k, batchSize: m.batchSize, params: m.params[k - m.index] as never, into: m.into[k - m.index] });
        done.push({ x: b.x, y: b.y });
        transfer.push(b.x.buffer as ArrayBuffer, b.y.buffer as ArrayBuffer);
      }
      post({ type: 'batch', index: m.index, batches: done }, transfer);
    } catch (e) {
      // The batches before the failing one still arrive, then its error.
      if (done.length > 0) post({ type: 'batch', index: m.index, batches: done }, transfer);
      // The render's own failure, whatever it threw (an Error or not): the consumer wraps it in its OtfgenTaskError.
      const cause = e instanceof OtfgenTaskError ? e.cause : e;
      post({ type: 'error', index: k, message: cause instanceof Error ? cause.message : String(cause) }, []);
    }
  };
  return (m) => {
    queue = queue.then(() => handle(m));
  };
}
