/**
 * The Web Worker of `generateInWebWorkers` (a module worker): rebuilds the
 * task from its origin, renders the batches it is asked for, and transfers
 * them back, as the Node worker does.
 */
import { serveGeneration } from '../tasks/worker-pool.js';

const scope = globalThis as unknown as { postMessage(m: unknown, transfer: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };
const serve = serveGeneration(
  (m, transfer) => scope.postMessage(m, transfer),
  (module) => import(/* @vite-ignore */ module),
);
scope.onmessage = (e) => serve(e.data);
