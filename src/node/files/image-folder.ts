/**
 * Image folders, the common layout of image datasets: one PNG per sample in a
 * folder per class. PNGs are decoded with pngjs (zlib's native inflate, no
 * thread hop: for small images the per-file cost of a libvips pipeline is
 * most of the work), JPEG and WebP with sharp, an optional peer loaded only
 * when the folder holds them.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { allocBatch, type Batch } from '../../core/batch.js';
import { checkKeys, OtfgenFileError, checkBoolean, checkInt } from '../../core/errors.js';
import { Rng, checkSeed, type Seed } from '../../core/rng.js';
import { Stream } from '../../stream/stream.js';
import { loadSharp, mapLimit, type Sharp } from '../sharp.js';

/** Image files, by name. */
const IMAGE = /\.(png|jpe?g|webp)$/i;
/** Folders of up to this many images are scanned before the first batch by default. */
const SCAN_UP_TO = 20_000;

/** Options of {@link imageFolder}. */
export interface ImageFolderOptions {
  /** Samples per batch (default 64). */
  readonly batchSize?: number;
  /** Seeds the shuffles (default 0). */
  readonly seed?: Seed;
  /** Reshuffle each epoch (default true). */
  readonly shuffle?: boolean;
  /** Passes (default 1; Infinity for endless). */
  readonly epochs?: number;
  /** Files decoded at once (default 16). */
  readonly concurrency?: number;
  /**
   * Read every image's header before the first batch, so a corrupt or
   * odd-sized file is named at once (default: for folders of up to 20,000
   * images; larger ones are checked as each image is decoded).
   */
  readonly scan?: boolean;
}

/**
 * A stream of batches decoded from an image folder: sub-folders are the
 * classes (sorted by name: class id 0, 1, ...), each image one sample, images
 * in folders nested inside a class folder included. All images must share one
 * size; a corrupt or odd-sized file is an error naming it, and a class folder
 * with no image is an error naming the folder.
 * @example
 * ```ts
 * const s = await imageFolder('digits-png', { batchSize: 64, seed: 1 });
 * ```
 */
export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<Stream<Batch>> {
  checkKeys('imageFolder options', options, ['batchSize', 'seed', 'shuffle', 'epochs', 'concurrency', 'scan']);
  const batchSize = checkInt('imageFolder options.batchSize', options.batchSize ?? 64, 1);
  const seed = checkSeed('imageFolder options.seed', options.seed ?? 0);
  const epochs = options.epochs ?? 1;
  if (epochs !== Infinity) checkInt('imageFolder options.epochs', epochs, 0);
  const shuffled = checkBoolean('imageFolder options.shuffle', options.shuffle ?? true);
  if (options.scan !== undefined) checkBoolean('imageFolder options.scan', options.scan);
  let classes: string[];
  try {
    classes = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (e) {
    throw new OtfgenFileError(dir, `cannot read the folder: ${(e as Error).message}`, { cause: e });
  }
  if (classes.length < 2) throw new OtfgenFileError(dir, `expected a folder per class (at least 2), found ${classes.length}`);
  const files: { path: string; label: number }[] = [];
  for (const [label, c] of classes.entries()) {
    // Images in nested folders belong to their top-level class folder.
    const inside = (await readdir(join(dir, c), { recursive: true })).filter((f) => IMAGE.test(f)).sort();
    if (inside.length === 0) {
      throw new OtfgenFileError(
        join(dir, c),
        'holds no .png, .jpg or .webp images: a class folder needs at least one (add its images, or move the folder out)',
      );
    }
    for (const f of inside) files.push({ path: join(dir, c, f), label });
  }
  const sharp = files.some((f) => !PNG_FILE.test(f.path)) ? await loadSharp() : null;
  // Grey folders stay one channel (libvips would otherwise hand back sRGB).
  const grey = (await header(files[0].path, sharp)).grey;
  const decode = (path: string) => (PNG_FILE.test(path) ? decodePng(path, grey) : decodeOther(sharp!, path, grey));
  const first = (await decode(files[0].path)).info;
  if (options.scan ?? files.length <= SCAN_UP_TO) {
    // Every file's header, before the first batch: a corrupt or odd-sized one is named now, not midway through training.
    await mapLimit(files, options.concurrency ?? 16, async (f) => {
      const h = await header(f.path, sharp);
      if (h.width !== first.width || h.height !== first.height) {
        throw new OtfgenFileError(f.path, `is ${h.width}x${h.height}; the folder's images are ${first.width}x${first.height}`);
      }
    });
  }
  const shape = [first.height, first.width, first.channels];
  const n = first.height * first.width * first.channels;
  const target = { kind: 'class', classes: classes.length } as const;
  const perEpoch = Math.ceil(files.length / batchSize);
  return new Stream<Batch>(
    async function* () {
      const order = Int32Array.from({ length: files.length }, (_, i) => i);
      for (let epoch = 0; epoch < epochs; epoch++) {
        if (shuffled) {
          const rng = Rng.forIndex(seed, epoch, 'epoch');
          for (let i = order.length - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            const t = order[i];
            order[i] = order[j];
            order[j] = t;
          }
        }
        for (let b = 0; b < perEpoch; b++) {
          const ids = Array.from(order.subarray(b * batchSize, Math.min(files.length, (b + 1) * batchSize)));
          const out = allocBatch(ids.length, shape, target);
          await mapLimit(ids, options.concurrency ?? 16, async (id, i) => {
            const { data, info } = await decode(files[id].path);
            if (info.width !== first.width || info.height !== first.height || info.channels !== first.channels) {
              throw new OtfgenFileError(
                files[id].path,
                `is ${info.width}x${info.height}x${info.channels}; the folder's images are ${first.width}x${first.height}x${first.channels}`,
              );
            }
            for (let k = 0; k < n; k++) out.x[i * n + k] = data[k] / 255;
            out.y[i] = files[id].label;
          });
          yield out;
        }
      }
    },
    epochs === Infinity ? Infinity : perEpoch * epochs,
  );
}

const PNG_FILE = /\.png$/i;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Decoded {
  readonly data: Uint8Array;
  readonly info: { readonly width: number; readonly height: number; readonly channels: number };
}

/** An image's size and whether it is grey, from its header alone (a PNG's first 26 bytes: signature and IHDR). */
async function header(path: string, sharp: Sharp | null): Promise<{ width: number; height: number; grey: boolean }> {
  if (!PNG_FILE.test(path)) {
    try {
      const meta = await sharp!(path).metadata();
      return { width: meta.width!, height: meta.height!, grey: meta.channels === 1 || meta.channels === 2 || meta.space === 'b-w' };
    } catch (e) {
      throw new OtfgenFileError(path, `cannot decode: ${(e as Error).message}`, { cause: e });
    }
  }
  const head = new Uint8Array(26);
  let read = 0;
  try {
    // Synchronous, as in decodePng.
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, 26, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new OtfgenFileError(path, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const ihdr = String.fromCharCode(...head.subarray(12, 16));
  if (read < 26 || PNG_SIGNATURE.some((b, i) => head[i] !== b) || ihdr !== 'IHDR') {
    throw new OtfgenFileError(path, 'cannot decode: not a PNG file (no PNG signature and IHDR header)');
  }
  const v = new DataView(head.buffer);
  // Colour types 0 (grey) and 4 (grey with alpha) are grey.
  return { width: v.getUint32(16), height: v.getUint32(20), grey: head[25] === 0 || head[25] === 4 };
}

/**
 * A PNG as 1 (grey) or 3 (colour) channels of bytes, alpha dropped, as sharp
 * gives them. The file is read synchronously: for files of a few hundred
 * bytes the thread-pool round trips of an asynchronous read (open, stat, read,
 * close) cost several times the read itself (docs/speed.md), and a batch of
 * them blocks for about a millisecond.
 */
async function decodePng(path: string, grey: boolean): Promise<Decoded> {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (e) {
    throw new OtfgenFileError(path, `cannot decode: ${(e as Error).message}`, { cause: e });
  }
  const { width, height } = png;
  const channels = grey ? 1 : 3;
  const rgba = png.data;
  const data = new Uint8Array(width * height * channels);
  if (grey) for (let p = 0, q = 0; p < data.length; p++, q += 4) data[p] = rgba[q];
  else
    for (let p = 0, q = 0; p < data.length; p += 3, q += 4) {
      data[p] = rgba[q];
      data[p + 1] = rgba[q + 1];
      data[p + 2] = rgba[q + 2];
    }
  return { data, info: { width, height, channels } };
}

async function decodeOther(sharp: Sharp, path: string, grey: boolean): Promise<Decoded> {
  try {
    const img = sharp(path);
    return await (grey ? img.toColourspace('b-w') : img.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new OtfgenFileError(path, `cannot decode: ${(e as Error).message}`, { cause: e });
  }
}
