/**
 * The generation worker: rebuilds a task from its origin, then renders the
 * batches it is asked for with `renderBatch` (the same bytes as on the main
 * thread) and transfers them back.
 */
import { parentPort } from 'node:worker_threads';
import { OtfgenTaskError } from '../../core/errors.js';
import { renderBatch } from '../../tasks/generate.js';
import { taskFromOrigin } from '../../tasks/origin.js';
import type { Task } from '../../tasks/define-task.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { BatchArrays } from '../../core/batch.js';

const port = parentPort!;
let task: Task<any> | null = null;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// Messages are handled one after another: 'init' awaits an import, and the
// renders sent right behind it must wait for the task.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  queue = queue.then(() => handle(m));
});

/** A TypeScript module, by its path's extension. */
const TYPESCRIPT = /\.[cm]?tsx?$/;
// Through a variable: bundlers must not pull tsx (a tool, not a dependency) into the worker.
const TSX_API = 'tsx/esm/api';
let typescript: Promise<void> | null = null;

/**
 * Registers tsx's loader in this thread, once: a worker thread does not
 * inherit the loader its parent runs under (Node 20 ignores `--import` for
 * workers), so a TypeScript task module needs it registered here.
 */
function loadTypeScript(module: string): Promise<void> {
  typescript ??= import(/* @vite-ignore */ TSX_API).then(
    (api: { register(): unknown }) => void api.register(),
    (e: Error) => {
      typescript = null;
      throw new Error(
        `${module} is TypeScript, which worker threads load through tsx: npm install -D tsx, or point taskModule at its built JavaScript (${e.message})`,
      );
    },
  );
  return typescript;
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    try {
      if (TYPESCRIPT.test(new URL(m.origin.module, 'file:///').pathname)) await loadTypeScript(m.origin.module);
      task = await taskFromOrigin(m.origin, m.name, (module) => import(module));
      send({ type: 'ready', name: task.name });
    } catch (e) {
      send({ type: 'error', index: -1, message: `cannot rebuild the task in a worker: ${(e as Error).message}` });
    }
    return;
  }
  if (!task) return; // init failed and said so; the main thread is shutting the worker down
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
    send({ type: 'batch', index: m.index, batches: done }, transfer);
  } catch (e) {
    // The batches before the failing one still arrive, then its error.
    if (done.length > 0) send({ type: 'batch', index: m.index, batches: done }, transfer);
    // The render's own failure, whatever it threw (an Error or not): the parent wraps it in its OtfgenTaskError.
    const cause = e instanceof OtfgenTaskError ? e.cause : e;
    send({ type: 'error', index: k, message: cause instanceof Error ? cause.message : String(cause) });
  }
}
