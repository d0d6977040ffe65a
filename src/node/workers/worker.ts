/**
 * The generation worker: rebuilds a task from its origin, then renders the
 * batches it is asked for with `renderBatch` (the same bytes as on the main
 * thread) and transfers them back.
 */
import { parentPort } from 'node:worker_threads';
import { serveGeneration } from '../../tasks/worker-pool.js';

const port = parentPort!;
const serve = serveGeneration(
  (m, transfer) => port.postMessage(m, transfer),
  async (module) => {
    if (TYPESCRIPT.test(new URL(module, 'file:///').pathname)) await loadTypeScript(module);
    return import(module);
  },
);
port.on('message', serve);

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
