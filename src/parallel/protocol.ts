/** Messages between the main thread and generation workers. */
import type { TaskOrigin } from '../tasks/define-task.js';
import type { Seed } from '../random/rng.js';
import type { BatchArrays } from '../batch.js';

export type ToWorker =
  | { readonly type: 'init'; readonly origin: TaskOrigin; /** The task's name, to find it when origin.export is '*'. */ readonly name: string }
  | {
      readonly type: 'render';
      readonly index: number;
      readonly seed: Seed;
      readonly batchSize: number;
      readonly params: Record<string, unknown>;
      /** Arrays to draw over, transferred back: with `recycle` a batch the consumer is done with, else the worker's own from an earlier batch. */
      readonly into?: BatchArrays;
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly name: string }
  | { readonly type: 'batch'; readonly index: number; readonly x: Float32Array; readonly y: Int32Array | Float32Array }
  | { readonly type: 'error'; readonly index: number; readonly message: string };
