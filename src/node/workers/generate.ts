/**
 * generate with `workers`: batches made in worker threads, delivered in order,
 * byte for byte the stream a single thread makes (batch k depends only on the
 * seed, k and the params).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { detachArrays, sampleLength, targetLength, type Batch, type BatchArrays } from '../../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenError, OtfgenTaskError, checkInt } from '../../core/errors.js';
import { Stream } from '../../stream/stream.js';
import type { ParamSpace, Task, TaskOrigin } from '../../tasks/define-task.js';
import { generate as generateHere, type GenerateOptions } from '../../tasks/generate.js';
import type { FromWorker, ToWorker } from './protocol.js';

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
export function messagePlan(task: Task<any>, batchSize: number, prefetch?: number): { prefetch: number; perMessage: number } {
  const batchBytes = batchSize * (sampleLength(task.sampleShape) + targetLength(task.target)) * 4; // x and y hold 4-byte values
  const fit = Math.max(1, Math.min(MAX_PER_MESSAGE, Math.floor(MESSAGE_BYTES / batchBytes)));
  const ahead = checkInt('generateInWorkers options.prefetch', prefetch ?? 2 * fit, 1, 1024);
  return { prefetch: ahead, perMessage: Math.max(1, Math.min(fit, Math.floor(ahead / 2))) };
}

/** Options of {@link generateInWorkers}: those of the core's {@link GenerateOptions}, and worker threads. */
export interface WorkerGenerateOptions<P extends ParamSpace> extends GenerateOptions<P> {
  /** Worker threads making batches (default 1: no workers, the main thread makes them). */
  readonly workers?: number;
  /**
   * For a task of your own without an `origin`: the ES module (URL or path)
   * that exports it, so each worker can import it. Keep the task in a module
   * of its own: the worker runs the module's top-level code.
   */
  readonly taskModule?: string | URL;
  /**
   * Batches each worker may run ahead of the consumer. Batches travel several
   * to a message (up to 2 MB, at most 16 batches), and by default each worker
   * runs two messages ahead: 20 batches of 64 digits, 2 batches of 1,024. A
   * smaller prefetch also means fewer batches a message (half of it); with
   * `params` a function, it is called for batches that far ahead.
   */
  readonly prefetch?: number;
}

/**
 * `generate` from `otfgen`, with the batches made in worker threads: the same
 * bytes as one thread, delivered in order, bounded, and the workers stopped
 * when the consumer stops.
 * @example
 * ```ts
 * import { digits } from 'otfgen';
 * import { generateInWorkers } from 'otfgen/node';
 * for await (const batch of generateInWorkers(digits, { seed: 1, workers: 2 }).take(1000)) await trainOn(batch);
 * ```
 */
export function generateInWorkers<P extends ParamSpace>(task: Task<P>, options: WorkerGenerateOptions<P> = {}): Stream<Batch> {
  checkKeys('generateInWorkers options', options, ['workers', 'taskModule', 'prefetch', 'seed', 'batchSize', 'params', 'batches', 'startBatch', 'recycle']);
  const { workers: n = 1, taskModule, prefetch: ahead, ...rest } = options;
  checkInt('generateInWorkers options.workers', n, 1, 256);
  // The single-thread stream checks task and options now (batchSize among them), and is the stream when n is 1.
  const here = generateHere(task, rest as GenerateOptions<P>);
  const batchSize = rest.batchSize ?? 64;
  const { prefetch, perMessage } = messagePlan(task, batchSize, ahead);
  if (n === 1) return here;
  const recycle = rest.recycle ?? false;
  const origin = originOf(task, taskModule);
  const seed = rest.seed ?? 0;
  const start = rest.startBatch ?? 0;
  const end = start + (rest.batches ?? Infinity);
  const paramsAt = (k: number): Record<string, unknown> =>
    (typeof rest.params === 'function' ? rest.params(k) : (rest.params ?? {})) as Record<string, unknown>;
  const script = workerScript();

  return new Stream<Batch>(() => {
    let pool: Worker[] = [];
    const waiting = new Map<number, { promise: Promise<Batch>; resolve: (b: Batch) => void; reject: (e: unknown) => void }>();
    let failure: unknown = null; // a worker crashed or could not start: nothing more will come
    let failedAt = Infinity; // a batch whose render failed: those before it still arrive, in order
    let closed = false;
    let next = start;
    let dispatched = start;
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
      // Ref first: an idle (unref'd) worker's pending exit does not keep Node
      // running, and the process would end, silently, inside this await.
      for (const w of all) w.ref();
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
        const w = startWorker(script);
        live.add(w);
        w.once('exit', () => live.delete(w));
        w.on('message', (m: FromWorker) => {
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
        });
        w.on('error', (e) => fail(new OtfgenTaskError(task.name, next, e)));
        w.on('exit', (code) => {
          if (!closed) fail(new OtfgenTaskError(task.name, next, new Error(`worker ${i} exited unexpectedly (code ${code})`)));
        });
        w.postMessage({ type: 'init', origin, name: task.name } satisfies ToWorker);
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
      pool[messages++ % n].postMessage({ type: 'render', index: k, seed, batchSize, params, into } satisfies ToWorker, transfer);
    };

    return {
      async next(): Promise<IteratorResult<Batch>> {
        if (closed && !failure) return { done: true, value: undefined };
        if (next >= end) {
          await shutdown();
          return { done: true, value: undefined };
        }
        if (!failure && pool.length === 0) open();
        // Workers keep the process alive only while the consumer waits in here: a
        // stream dropped without return() never holds Node open.
        for (const w of pool) w.ref();
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
          for (const w of pool) w.unref();
        }
      },
      async return(): Promise<IteratorResult<Batch>> {
        await shutdown();
        return { done: true, value: undefined };
      },
    };
  }, here.size);
}

/**
 * The parent's Node flags minus those that only make sense for a main script
 * (`-e`/`-p` with their code, `--input-type`): inherited as they are, they stop
 * the worker from starting.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++; // and its code
      continue;
    }
    if (a.startsWith('--input-type') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    out.push(a);
  }
  return out;
}

/**
 * A worker with the parent's Node flags. Some flags are per process (for
 * example --trace-gc) and make `new Worker` throw; the worker then starts
 * without the flags Node names in its error, so `node --trace-gc train.js`
 * still generates in workers.
 */
function startWorker(script: URL): Worker {
  const argv = workerExecArgv();
  try {
    return new Worker(script, { execArgv: argv });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    // The message ends with the flags, comma-separated: "...invalid execArgv flags: --a, --b".
    const message = (e as Error).message;
    const named = new Set(message.slice(message.lastIndexOf(': ') + 2).split(', '));
    const kept = argv.filter((a) => !named.has(a));
    return new Worker(script, { execArgv: kept.length < argv.length ? kept : [] });
  }
}

/** Workers started here that have not exited yet (for tests: nothing may be left running). */
const live = new Set<Worker>();
export function liveWorkerCount(): number {
  return live.size;
}

/** How workers rebuild the task: its origin, or the module the user names. */
function originOf(task: Task<any>, taskModule: string | URL | undefined): TaskOrigin {
  if (taskModule !== undefined) return { module: moduleUrl(taskModule), export: '*' };
  if (task.origin) return task.origin.module === 'otfgen' ? task.origin : { ...task.origin, module: moduleUrl(task.origin.module) };
  throw new OtfgenArgumentError(
    'generateInWorkers options.taskModule',
    `workers must import task '${task.name}': give taskModule (e.g. import.meta.url of the module that exports it) or define the task with origin: { module, export }`,
  );
}

function moduleUrl(m: string | URL): string {
  const s = String(m);
  if (/^(file|data|node):/.test(s)) return s;
  if (isAbsolute(s) || s.startsWith('.')) return pathToFileURL(resolve(s)).href;
  return s; // a package name
}

/** The built worker script: beside this chunk in dist, or dist/ when running from source. */
function workerScript(): URL {
  for (const rel of ['./worker.js', '../../../dist/worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new OtfgenError('ERR_WORKER', 'the generation worker script (dist/worker.js) was not found: run npm run build');
}
