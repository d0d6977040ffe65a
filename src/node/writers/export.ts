/**
 * exportDataset: writes a generated dataset to files that other frameworks
 * read: IDX (the MNIST format) or NPY (NumPy). Batches are streamed to disk,
 * each file appears whole or not at all.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkBatchSize, type Batch } from '../../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../../core/errors.js';
import { checkSeed, type Seed } from '../../core/rng.js';
import { checkTask, type ParamSpace, type Task } from '../../tasks/define-task.js';
import type { ParamsOption } from '../../tasks/generate.js';
import { generateInWorkers } from '../workers/generate.js';
import { AtomicFile } from './atomic-file.js';
import { IDX_TYPES } from '../../sources/idx.js';

/** Options of {@link exportDataset}. */
export interface ExportOptions<P extends ParamSpace> {
  /** Folder to write into (created if missing). */
  readonly dir: string;
  /** Samples to write. */
  readonly count: number;
  /** The generator's seed (default 0): the files are the first `count` samples of `generate(task, { seed, batchSize, params })`. */
  readonly seed?: Seed;
  /** 'idx' (default) or 'npy'. */
  readonly format?: 'idx' | 'npy';
  /** Samples as 'uint8' (round(x * 255), MNIST's encoding; default) or exact 'float32'. */
  readonly dtype?: 'uint8' | 'float32';
  /** The task's parameters, as `generate` takes them. */
  readonly params?: ParamsOption<P>;
  /** Samples generated at a time (default 1,000). It is part of the stream's seeding: another batch size, other samples. */
  readonly batchSize?: number;
  /** Worker threads generating (default 1); the files are the same whatever the count. */
  readonly workers?: number;
  /** For workers and a task of your own without an `origin`: the ES module that exports it (see `generateInWorkers`). */
  readonly taskModule?: string | URL;
  /**
   * Name the IDX files as MNIST's split of that name (`train-images-idx3-ubyte`
   * and `train-labels-idx1-ubyte`, or `t10k-...` for 'test'), so `mnist({ dir })`
   * and the CLI's `--data` read them back. For format 'idx', dtype 'uint8' and
   * class targets; unset, the files are named after the task.
   */
  readonly split?: 'train' | 'test';
  /** Stops the export between batches: nothing appears at the files' paths, their temporaries are removed, and it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The files written. */
export interface ExportResult {
  /** Path of the samples' file. */
  readonly images: string;
  /** Path of the labels' (or regression targets') file. */
  readonly targets: string;
  /** Samples written. */
  readonly count: number;
}

/**
 * @example
 * ```ts
 * await exportDataset(digits, { dir: 'out', count: 60000, seed: 1, format: 'npy' });
 * // out/digits-images.npy (uint8 [60000, 28, 28, 1]) and out/digits-labels.npy (uint8 [60000])
 * ```
 */
export async function exportDataset<P extends ParamSpace>(task: Task<P>, options: ExportOptions<P>): Promise<ExportResult> {
  checkKeys('exportDataset options', options, ['dir', 'count', 'seed', 'format', 'dtype', 'params', 'batchSize', 'workers', 'taskModule', 'split', 'signal']);
  checkTask('exportDataset(task)', task);
  const count = checkInt('exportDataset options.count', options.count, 1, 2 ** 31 - 1);
  if (options.seed !== undefined) checkSeed('exportDataset options.seed', options.seed);
  const batchSize = checkBatchSize('exportDataset options.batchSize', options.batchSize ?? 1000, task.sampleShape);
  const format = options.format ?? 'idx';
  const dtype = options.dtype ?? 'uint8';
  if (format !== 'idx' && format !== 'npy') throw new OtfgenArgumentError('exportDataset options.format', `expected 'idx' or 'npy', got ${describe(format)}`);
  if (dtype !== 'uint8' && dtype !== 'float32')
    throw new OtfgenArgumentError('exportDataset options.dtype', `expected 'uint8' or 'float32', got ${describe(dtype)}`);
  const split = options.split;
  if (split !== undefined) {
    if (split !== 'train' && split !== 'test')
      throw new OtfgenArgumentError('exportDataset options.split', `expected 'train' or 'test', got ${describe(split)}`);
    if (format !== 'idx' || dtype !== 'uint8' || task.target.kind !== 'class') {
      throw new OtfgenArgumentError(
        'exportDataset options.split',
        "names the files as MNIST's, which are IDX files of bytes with class labels: use format 'idx' and dtype 'uint8' with a class task",
      );
    }
  }
  const isClass = task.target.kind === 'class';
  const per = task.target.kind === 'class' ? 1 : task.target.size;
  // One channel is dropped in IDX, as MNIST's [N, 28, 28] files do; NPY keeps NHWC.
  const sample = format === 'idx' && task.sampleShape.length === 3 && task.sampleShape[2] === 1 ? task.sampleShape.slice(0, 2) : task.sampleShape;
  const shape = [count, ...sample];
  const targetShape = per === 1 ? [count] : [count, per];
  const stem = join(options.dir, split === undefined ? task.name : split === 'train' ? 'train' : 't10k');
  const names =
    format === 'idx'
      ? {
          images: `${stem}-images-idx${shape.length}-${dtype === 'uint8' ? 'ubyte' : 'float'}`,
          targets: `${stem}-${isClass ? 'labels' : 'targets'}-idx${targetShape.length}-${isClass ? 'ubyte' : 'float'}`,
        }
      : { images: `${stem}-images.npy`, targets: `${stem}-${isClass ? 'labels' : 'targets'}.npy` };
  // The stream checks its own options (workers, params, task module) as it is made, before anything is created on disk.
  const stream = generateInWorkers(task, {
    seed: options.seed,
    batchSize,
    params: options.params,
    workers: options.workers,
    taskModule: options.taskModule,
    batches: Math.ceil(count / batchSize),
  });
  options.signal?.throwIfAborted();
  await mkdir(options.dir, { recursive: true });
  const images = await AtomicFile.create(names.images);
  const targets = await AtomicFile.create(names.targets);
  try {
    const xType = dtype === 'uint8' ? 'uint8' : 'float32';
    // Class ids as bytes, as MNIST's label files (int32 past 256 classes).
    const yType: Elem = task.target.kind === 'class' ? (task.target.classes <= 256 ? 'uint8' : 'int32') : 'float32';
    await images.write(format === 'idx' ? idxHeader(xType, shape) : npyHeader(xType, shape));
    await targets.write(format === 'idx' ? idxHeader(yType, targetShape) : npyHeader(yType, targetShape));
    let left = count;
    for await (const b of stream) {
      options.signal?.throwIfAborted();
      const take = Math.min(left, b.size);
      await images.write(encodeSamples(b, take, xType, format === 'idx'));
      await targets.write(encodeTargets(b, take, per, yType, format === 'idx'));
      left -= take;
      if (left === 0) break;
    }
    await images.commit();
    await targets.commit();
  } catch (e) {
    await Promise.all([images.abort(), targets.abort()]);
    throw e;
  }
  return { ...names, count };
}

type Elem = 'uint8' | 'int32' | 'float32';

function idxHeader(type: Elem, shape: number[]): Uint8Array {
  const h = new Uint8Array(4 + 4 * shape.length);
  const v = new DataView(h.buffer);
  h[2] = IDX_TYPES[type];
  h[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return h;
}

/**
 * NPY format 1.0: magic, version, a little-endian header length, then a
 * Python dict literal padded with spaces to a multiple of 64 bytes. Written
 * here rather than with a library: the writer is these few lines.
 */
function npyHeader(type: Elem, shape: number[]): Uint8Array {
  const descr = { uint8: '|u1', int32: '<i4', float32: '<f4' }[type];
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict += ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}

function encodeSamples(b: Batch, take: number, type: Elem, bigEndian: boolean): Uint8Array {
  const n = (b.x.length / b.size) * take;
  if (type === 'uint8') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(Math.min(1, Math.max(0, b.x[i])) * 255);
    return out;
  }
  return encodeNumbers(b.x, n, 'float32', bigEndian);
}

function encodeTargets(b: Batch, take: number, per: number, type: Elem, bigEndian: boolean): Uint8Array {
  return encodeNumbers(b.y, take * per, type, bigEndian);
}

function encodeNumbers(values: ArrayLike<number>, n: number, type: Elem, bigEndian: boolean): Uint8Array {
  if (type === 'uint8') return Uint8Array.from({ length: n }, (_, i) => values[i]);
  const out = new Uint8Array(4 * n);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (type === 'int32') v.setInt32(4 * i, values[i], !bigEndian);
    else v.setFloat32(4 * i, values[i], !bigEndian);
  }
  return out;
}
