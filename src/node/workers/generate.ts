/**
 * generate with `workers`: batches made in worker threads, delivered in order,
 * byte for byte the stream a single thread makes (batch k depends only on the
 * seed, k and the params).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Batch } from '../../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenError, checkInt } from '../../core/errors.js';
import type { Stream } from '../../stream/stream.js';
import type { ParamSpace, Task, TaskOrigin } from '../../tasks/define-task.js';
import { generate as generateHere, type GenerateOptions } from '../../tasks/generate.js';
import { messagePlan, poolPlan, pooledStream } from '../../tasks/worker-pool.js';

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
  const { prefetch, perMessage } = messagePlan(task, batchSize, ahead, 'generateInWorkers options.prefetch');
  if (n === 1) return here;
  const origin = originOf(task, taskModule);
  const script = workerScript();
  const plan = poolPlan(rest, { workers: n, origin, batchSize, prefetch, perMessage, size: here.size });
  return pooledStream(task, plan, (_, events) => {
    const w = startWorker(script);
    live.add(w);
    w.once('exit', () => live.delete(w));
    w.on('message', events.message);
    w.on('error', events.error);
    w.on('exit', events.exit);
    return {
      post: (m, transfer) => w.postMessage(m, transfer),
      terminate: () => w.terminate(),
      hold: (held) => (held ? w.ref() : w.unref()),
    };
  });
}

/**
 * The parent's Node flags minus those that only make sense for a main script
 * (`-e`/`-p` with their code, `--input-type`): inherited as they are, they stop
 * the worker from starting.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
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
export function startWorker(script: URL, argv: string[] = workerExecArgv()): Worker {
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
export function originOf(task: Task<any>, taskModule: string | URL | undefined): TaskOrigin {
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
