/** Messages between the main thread and generation workers. */
import type { TaskOrigin } from '../tasks/define-task.js';
import type { Seed } from '../random/rng.js';

export type ToWorker =
  | { readonly type: 'init'; readonly origin: TaskOrigin; /** The task's name, to find it when origin.export is '*'. */ readonly name: string }
  /** Batches index .. index + params.length - 1, one params object each. */
  | { readonly type: 'render'; readonly index: number; readonly seed: Seed; readonly batchSize: number; readonly params: readonly Record<string, unknown>[] };

export type FromWorker =
  | { readonly type: 'ready'; readonly name: string }
  /** Batches index, index + 1, ...: one message for a request's batches (fewer messages, less main-thread work). */
  | { readonly type: 'batches'; readonly index: number; readonly xs: readonly Float32Array[]; readonly ys: readonly (Int32Array | Float32Array)[] }
  | { readonly type: 'error'; readonly index: number; readonly message: string };
