/**
 * pixelCount: random binary images labelled with how many pixels are on
 * (the study's experiment 2: a different task, whose head is swapped after warm-up).
 */
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import { popcount32 } from '../core/rng.js';
import { defineTask, type NumberParam, type Task } from './define-task.js';
import { wasmBits } from './wasm-bits.js';

/**
 * Options of {@link pixelCountTask}.
 * @inline
 */
export interface PixelCountOptions {
  /** Side of the square image (default 28). */
  readonly size?: number;
  /**
   * The target: 'count' (default, on-pixels 0..size²), 'fraction' (count / size²,
   * easier to regress), or `{ bins: n }`: a class id, the count's bin among n equal bins.
   */
  readonly target?:
    | 'count'
    | 'fraction'
    | {
        /** How many equal bins of the count, and classes. */
        readonly bins: number;
      };
}

/** The pixel-count task's parameters. */
export type PixelCountParams = {
  /** Chance that each pixel is on (exact to 1/256); give [lo, hi] to draw it per image. */
  readonly onProbability: NumberParam;
};

const pixelCountParams: PixelCountParams = {
  onProbability: {
    min: 0,
    max: 1,
    default: 0.5,
    description: 'chance that each pixel is on (exact to 1/256); give [lo, hi] to draw it per image',
  },
};

/**
 * Makes a pixel-count task with another size or target.
 * @example
 * ```ts
 * const binned = pixelCountTask({ target: { bins: 10 } });
 * const s = generate(binned, { seed: 1, params: { onProbability: [0.2, 0.8] } });
 * ```
 */
export function pixelCountTask(options: PixelCountOptions = {}): Task<PixelCountParams> {
  checkKeys('pixelCountTask options', options, ['size', 'target']);
  const side = checkInt('pixelCountTask options.size', options.size ?? 28, 1, 4096);
  const target = options.target ?? 'count';
  const pixels = side * side;
  const words = Math.ceil(pixels / 32);
  const lastBits = pixels - (words - 1) * 32;
  const lastMask = lastBits === 32 ? -1 : (1 << lastBits) - 1;
  let bins = 0;
  if (typeof target === 'object' && target !== null) bins = checkInt('pixelCountTask options.target.bins', target.bins, 2, pixels + 1);
  else if (target !== 'count' && target !== 'fraction') {
    throw new OtfgenArgumentError('pixelCountTask options.target', `expected 'count', 'fraction' or { bins: n }, got ${describe(target)}`);
  }
  // Scratch per task: render is synchronous, so it is never shared mid-use. The
  // WebAssembly path where there is WebAssembly SIMD, else plain JS (same bytes).
  const wasm = wasmBits(pixels);
  const scratch = wasm ? wasm.words : new Int32Array(words);
  const unpack = bitUnpacker();
  return defineTask({
    name: bins ? 'pixel-count-bins' : 'pixel-count',
    version: 1,
    origin: { module: 'otfgen', export: 'pixelCountTask', args: [options] },
    description: 'random binary images; target: how many pixels are on',
    sampleShape: [side, side, 1],
    target: bins ? { kind: 'class', classes: bins } : { kind: 'regression', size: 1 },
    conditional: false,
    params: pixelCountParams,
    render(rng, p, out, offset) {
      if (wasm) wasm.fillBernoulli(rng, p.onProbability);
      else rng.fillBernoulliWords(scratch, p.onProbability);
      scratch[words - 1] &= lastMask;
      let count = 0;
      for (let i = 0; i < words; i++) count += popcount32(scratch[i]);
      if (wasm) {
        wasm.unpack();
        out.set(wasm.pixels, offset);
      } else unpack(scratch, pixels, out, offset);
      if (bins) return Math.min(bins - 1, Math.floor((count * bins) / (pixels + 1)));
      return target === 'fraction' ? count / pixels : count;
    },
  }) as Task<PixelCountParams>;
}

/**
 * The study's pixel-count task: 28x28x1 binary images, each pixel on with
 * probability `onProbability` (default 0.5), target the number of on pixels.
 * @example
 * ```ts
 * const [batch] = await generate(pixelCount, { seed: 1, batchSize: 8 }).take(1).toArray();
 * batch.y; // Float32Array of 8 counts near 392
 * ```
 */
export const pixelCount: Task<PixelCountParams> = pixelCountTask();

/**
 * Returns a function that writes `pixels` bits of `words` (bit j of word i is
 * pixel 32i + j) as 0/1 floats into `out` at `offset`.
 *
 * Hot path: a plain per-bit loop runs at ~0.8M 28x28 samples/s here. Writing
 * two pixels per store through a Float64Array view of the same memory, from a
 * table of float32 pairs, unrolled 16 stores per word, is several times
 * faster. The table has a row of four pairs (8 pixels) for each byte value, so
 * a word costs four table lookups' worth of shifts rather than sixteen (about
 * 1.2x over a 2-bit table here). The table entries are bit patterns, copied,
 * never computed on, so the bytes are exact. Unaligned targets take the plain loop.
 */
export function bitUnpacker(): (words: Int32Array, pixels: number, out: Float32Array, offset: number) => void {
  const bits = new Uint32Array(256 * 8);
  for (let b = 0; b < 256; b++) for (let j = 0; j < 8; j++) bits[8 * b + j] = (b >>> j) & 1 ? 0x3f800000 : 0;
  const table = new Float64Array(bits.buffer);
  let viewOf: ArrayBufferLike | null = null;
  let pairs: Float64Array<ArrayBufferLike> = new Float64Array(0);
  return (words, pixels, out, offset) => {
    const full = pixels >>> 5;
    let o = offset;
    let i = 0;
    const byte = out.byteOffset + 4 * offset;
    if ((byte & 7) === 0 && full > 0) {
      if (out.buffer !== viewOf) {
        viewOf = out.buffer;
        pairs = new Float64Array(out.buffer, 0, out.buffer.byteLength >>> 3);
      }
      let h = byte >>> 3;
      for (; i < full; i++, h += 16) {
        const w = words[i];
        let t = (w & 255) << 2;
        pairs[h] = table[t];
        pairs[h + 1] = table[t + 1];
        pairs[h + 2] = table[t + 2];
        pairs[h + 3] = table[t + 3];
        t = ((w >>> 8) & 255) << 2;
        pairs[h + 4] = table[t];
        pairs[h + 5] = table[t + 1];
        pairs[h + 6] = table[t + 2];
        pairs[h + 7] = table[t + 3];
        t = ((w >>> 16) & 255) << 2;
        pairs[h + 8] = table[t];
        pairs[h + 9] = table[t + 1];
        pairs[h + 10] = table[t + 2];
        pairs[h + 11] = table[t + 3];
        t = (w >>> 24) << 2;
        pairs[h + 12] = table[t];
        pairs[h + 13] = table[t + 1];
        pairs[h + 14] = table[t + 2];
        pairs[h + 15] = table[t + 3];
      }
      o += full * 32;
    }
    for (let p = i * 32; p < pixels; p++) out[o++] = (words[p >>> 5] >>> (p & 31)) & 1;
  };
}
