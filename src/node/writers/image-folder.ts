/** Writes any class stream as an image folder: `dir/<class>/<index>.png`. */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Batch } from '../../core/batch.js';
import { OtfgenArgumentError, OtfgenFileError, checkInt } from '../../core/errors.js';
import { PNG } from 'pngjs';
import { mapLimit } from '../sharp.js';

/** The target must be new or an empty folder: writing never replaces what is there. */
async function checkNewFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new OtfgenFileError(dir, code === 'ENOTDIR' ? 'exists and is not a folder: choose a new folder name' : `cannot read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (entries.length > 0) {
    throw new OtfgenFileError(
      dir,
      `exists and holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: writeImageFolder writes a new folder and never replaces one; choose another, or empty it first`,
    );
  }
}

/**
 * Writes `count` samples of a class stream as `dir/<class>/<index>.png` (a
 * folder for each class it writes samples of)
 * (8-bit grey or RGB). The folder appears whole or not at all; `dir` must be
 * new or empty (an existing folder with anything in it is refused, never replaced).
 * @example
 * ```ts
 * await writeImageFolder(generate(digits, { seed: 1 }), 'digits-png', { count: 10000 });
 * ```
 */
export async function writeImageFolder(
  stream: AsyncIterable<Batch>,
  dir: string,
  options: {
    /** Samples to write (the stream must have as many). */
    count: number;
    /** PNG files encoded at once (default 8). */
    concurrency?: number;
  },
): Promise<{
  /** The folder written. */
  dir: string;
  /** Files written. */
  count: number;
}> {
  const count = checkInt('writeImageFolder options.count', options.count, 1);
  await checkNewFolder(dir);
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  try {
    let written = 0;
    for await (const b of stream) {
      if (b.target.kind !== 'class') throw new OtfgenArgumentError('writeImageFolder(stream)', 'needs class targets (one folder per class)');
      const [height, width, channels] = b.sampleShape;
      if (b.sampleShape.length !== 3 || (channels !== 1 && channels !== 3))
        throw new OtfgenArgumentError('writeImageFolder(stream)', `needs [height, width, 1 or 3] samples, got [${b.sampleShape.join(', ')}]`);
      const n = height * width * channels;
      const take = Math.min(b.size, count - written);
      // A folder for each class this batch writes: a class with no sample gets none (imageFolder refuses an empty class folder).
      await Promise.all([...new Set(b.y.subarray(0, take))].map((c) => mkdir(join(tmp, String(c)), { recursive: true })));
      await mapLimit(
        Array.from({ length: take }, (_, i) => i),
        options.concurrency ?? 8,
        async (i) => {
          // pngjs takes RGBA and writes the PNG colour type asked: grey (0) for one channel, RGB (2) for three.
          const png = new PNG({ width, height });
          for (let p = 0; p < width * height; p++) {
            for (let ch = 0; ch < 3; ch++)
              png.data[p * 4 + ch] = Math.round(Math.min(1, Math.max(0, b.x[i * n + p * channels + (channels === 3 ? ch : 0)])) * 255);
            png.data[p * 4 + 3] = 255;
          }
          await writeFile(join(tmp, String(b.y[i]), `${String(written + i).padStart(7, '0')}.png`), PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 }));
        },
      );
      written += take;
      if (written === count) break;
    }
    if (written < count) throw new OtfgenArgumentError('writeImageFolder(stream)', `ended after ${written} samples; ${count} were asked`);
    // rename(2) replaces an empty folder, and fails (ENOTEMPTY, EEXIST) on one that filled up meanwhile.
    await rename(tmp, dir).catch((e) => {
      throw new OtfgenFileError(dir, `cannot put the images in place: ${(e as Error).message}`, { cause: e });
    });
    return { dir, count };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
