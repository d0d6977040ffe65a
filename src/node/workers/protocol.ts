/** Messages between the main thread and generation workers. */
import type { TaskOrigin } from '../../tasks/define-task.js';
import type { Seed } from '../../core/rng.js';
import type { BatchArrays } from '../../core/batch.js';

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

export type FromWorker =
  | { readonly type: 'ready'; readonly name: string }
  /** Batches `index`, `index + 1`, ... in order. */
  | { readonly type: 'batch'; readonly index: number; readonly batches: readonly BatchArrays[] }
  | { readonly type: 'error'; readonly index: number; readonly message: string };
