/**
 * generateInWebWorkers: batches made in Web Workers, delivered in order, byte
 * for byte the stream one thread makes.
 */
import type { Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt } from '../core/errors.js';
import type { Stream } from '../stream/stream.js';
import type { ParamSpace, Task, TaskOrigin } from '../tasks/define-task.js';
import { generate, type GenerateOptions } from '../tasks/generate.js';
import { messagePlan, poolPlan, pooledStream } from '../tasks/worker-pool.js';

/** Options of {@link generateInWebWorkers}: those of `generate`, and Web Workers. */
export interface WebWorkerGenerateOptions<P extends ParamSpace> extends GenerateOptions<P> {
  /** Web Workers making batches (default 1: no workers, the page's thread makes them). */
  readonly workers?: number;
  /**
   * The URL of otfgen's worker script, `otfgen/browser-worker` (default: the
   * file `browser-worker.js` beside this module, where the package and bundlers
   * that keep `new URL(..., import.meta.url)` put it). With a bundler that
   * does not, serve `node_modules/otfgen/dist/browser-worker.js` and give its URL.
   */
  readonly workerUrl?: string | URL;
  /** For a task of your own without an `origin`: the URL of the ES module that exports it, which each worker imports. */
  readonly taskModule?: string | URL;
  /** Batches each worker may run ahead of the consumer (default: two messages' worth, as in Node). */
  readonly prefetch?: number;
}

/**
 * `generate`, with the batches made in Web Workers (module workers): the same
 * bytes as one thread, in order, at most `prefetch` batches a worker ahead,
 * and every worker terminated when the stream ends, fails or is left.
 * @example
 * ```ts
 * import { digits } from 'otfgen';
 * import { generateInWebWorkers } from 'otfgen/browser';
 * for await (const batch of generateInWebWorkers(digits, { seed: 1, workers: 2 }).take(100)) trainOn(batch);
 * ```
 */
export function generateInWebWorkers<P extends ParamSpace>(task: Task<P>, options: WebWorkerGenerateOptions<P> = {}): Stream<Batch> {
  checkKeys('generateInWebWorkers options', options, [
    'workers',
    'workerUrl',
    'taskModule',
    'prefetch',
    'seed',
    'batchSize',
    'params',
    'batches',
    'startBatch',
    'recycle',
  ]);
  const { workers: n = 1, workerUrl, taskModule, prefetch: ahead, ...rest } = options;
  checkInt('generateInWebWorkers options.workers', n, 1, 256);
  const here = generate(task, rest as GenerateOptions<P>);
  const batchSize = rest.batchSize ?? 64;
  const { prefetch, perMessage } = messagePlan(task, batchSize, ahead, 'generateInWebWorkers options.prefetch');
  if (n === 1) return here;
  if (typeof Worker === 'undefined') {
    throw new OtfgenArgumentError(
      'generateInWebWorkers options.workers',
      "this environment has no Web Workers: in Node, use generateInWorkers from 'otfgen/node'",
    );
  }
  const origin = originOf(task, taskModule);
  // Written in this form so that bundlers which rewrite worker URLs (Vite, webpack 5) find the script.
  const url = workerUrl ?? new URL('./browser-worker.js', import.meta.url);
  const plan = poolPlan(rest, { workers: n, origin, batchSize, prefetch, perMessage, size: here.size });
  return pooledStream(task, plan, (_, events) => {
    const w = new Worker(url, { type: 'module' });
    w.onmessage = (e) => events.message(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      events.error(new Error(`the generation worker failed (${String(url)}): ${e.message || 'it could not load'}`));
    };
    return {
      post: (m, transfer) => w.postMessage(m, transfer),
      terminate: async () => w.terminate(),
    };
  });
}

function originOf(task: Task<any>, taskModule: string | URL | undefined): TaskOrigin {
  if (taskModule !== undefined) return { module: String(taskModule), export: '*' };
  if (task.origin) return task.origin;
  throw new OtfgenArgumentError(
    'generateInWebWorkers options.taskModule',
    `workers must import task '${task.name}': give taskModule (the URL of the module that exports it) or define the task with origin: { module, export }`,
  );
}
