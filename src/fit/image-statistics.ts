/**
 * imageStatistics: a few numbers per image (ink, size, spread, slant, stroke
 * thickness, texture) that say how one set of images differs from another,
 * and a distance between two sets' distributions of them. fitParams uses them
 * to move a task's parameter ranges toward real images.
 */
import { OtfgenArgumentError, describe } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** The statistics {@link imageStatistics} measures, one number per image each. */
export const IMAGE_STATISTICS = ['ink', 'cover', 'height', 'width', 'spreadY', 'spreadX', 'slant', 'edges', 'texture', 'centreY', 'centreX'] as const;

/**
 * One statistic of an image, on values in [0, 1]; "ink" is a pixel over 0.1.
 * - `ink`: the mean value of the ink pixels (how bright the strokes or material are).
 * - `cover`: the share of the image that is ink.
 * - `height`, `width`: the ink's bounding box, as a share of the image's height and width.
 * - `spreadY`, `spreadX`: the ink-weighted standard deviation of the row and of the column, over the height and width.
 * - `slant`: the ink-weighted slope of column on row, sign flipped so that a shape leaning right (top to the right) is positive.
 * - `edges`: boundaries between pixels over 0.5 and the rest (4-neighbours), per pixel over 0.5: larger for thinner strokes.
 * - `texture`: the mean absolute difference between horizontally adjacent ink pixels.
 * - `centreY`, `centreX`: the ink-weighted mean row and column, over the height and width.
 */
export type ImageStatistic = (typeof IMAGE_STATISTICS)[number];

/** Statistics compared by default: all but the centre, which most generators fix (MNIST centres by mass). */
export const DEFAULT_STATISTICS: readonly ImageStatistic[] = IMAGE_STATISTICS.filter((s) => s !== 'centreY' && s !== 'centreX');

/**
 * Images as {@link imageStatistics} takes them.
 * @inline
 */
export interface ImageArray {
  /** The images one after another, [height, width, channels] each (channels are averaged). Uint8 is scaled by 1/255. */
  readonly x: Uint8Array | Float32Array;
  /** One image's shape: [height, width] or [height, width, channels]. */
  readonly sampleShape: readonly number[];
}

/** Per statistic, one value per image. */
export type ImageStatistics = Record<ImageStatistic, Float64Array>;

/** Checks `images` and returns [count, height, width, channels]. */
export function checkImages(argument: string, images: ImageArray): [number, number, number, number] {
  if (!images || !(images.x instanceof Uint8Array || images.x instanceof Float32Array)) {
    throw new OtfgenArgumentError(`${argument}.x`, `expected a Uint8Array or Float32Array of images, got ${describe(images?.x)}`);
  }
  const shape = images.sampleShape;
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3) || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new OtfgenArgumentError(`${argument}.sampleShape`, `expected images: [height, width] or [height, width, channels], got ${describe(shape)}`);
  }
  const [h, w, c = 1] = shape;
  const n = h * w * c;
  if (images.x.length === 0 || images.x.length % n !== 0) {
    throw new OtfgenArgumentError(`${argument}.x`, `length ${images.x.length} is not a positive multiple of the image length ${n} ([${shape.join(', ')}])`);
  }
  return [images.x.length / n, h, w, c];
}

/**
 * Measures every statistic of {@link IMAGE_STATISTICS} on each image.
 * @example
 * ```ts
 * import { digits, imageStatistics, renderBatch } from 'otfgen';
 * const batch = renderBatch(digits, { seed: 1, index: 0, batchSize: 100 });
 * const { slant } = imageStatistics(batch);   // one value per digit
 * ```
 */
export function imageStatistics(images: ImageArray): ImageStatistics {
  const [count, h, w, c] = checkImages('imageStatistics images', images);
  const stats = Object.fromEntries(IMAGE_STATISTICS.map((s) => [s, new Float64Array(count)])) as ImageStatistics;
  // Written out by hand: fitParams measures thousands of images per step of its search.
  const scale = images.x instanceof Uint8Array ? 1 / 255 / c : 1 / c;
  const grey = new Float64Array(h * w);
  for (let i = 0; i < count; i++) {
    const o = i * h * w * c;
    for (let p = 0; p < h * w; p++) {
      let v = 0;
      for (let k = 0; k < c; k++) v += images.x[o + p * c + k];
      grey[p] = v * scale;
    }
    let ink = 0,
      inkSum = 0,
      mass = 0,
      my = 0,
      mx = 0,
      myy = 0,
      mxx = 0,
      mxy = 0;
    let top = h,
      bottom = -1,
      left = w,
      right = -1,
      strong = 0,
      edges = 0,
      texture = 0,
      pairs = 0;
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) {
        const v = grey[r * w + col];
        const right1 = col + 1 < w ? grey[r * w + col + 1] : -1;
        const below = r + 1 < h ? grey[(r + 1) * w + col] : -1;
        if (v > 0.5) strong++;
        if (right1 >= 0 && v > 0.5 !== right1 > 0.5) edges++;
        if (below >= 0 && v > 0.5 !== below > 0.5) edges++;
        if (v <= 0.1) continue;
        ink++;
        inkSum += v;
        mass += v;
        my += v * r;
        mx += v * col;
        myy += v * r * r;
        mxx += v * col * col;
        mxy += v * r * col;
        if (r < top) top = r;
        if (r > bottom) bottom = r;
        if (col < left) left = col;
        if (col > right) right = col;
        if (right1 > 0.1) {
          texture += Math.abs(right1 - v);
          pairs++;
        }
      }
    }
    if (ink === 0) continue; // a blank image: every statistic 0
    const cy = my / mass,
      cx = mx / mass;
    const vyy = Math.max(myy / mass - cy * cy, 0),
      vxx = Math.max(mxx / mass - cx * cx, 0),
      vxy = mxy / mass - cx * cy;
    stats.ink[i] = inkSum / ink;
    stats.cover[i] = ink / (h * w);
    stats.height[i] = (bottom - top + 1) / h;
    stats.width[i] = (right - left + 1) / w;
    stats.spreadY[i] = Math.sqrt(vyy) / h;
    stats.spreadX[i] = Math.sqrt(vxx) / w;
    stats.slant[i] = vyy > 1e-9 ? -vxy / vyy : 0;
    stats.edges[i] = strong ? edges / strong : 0;
    stats.texture[i] = pairs ? texture / pairs : 0;
    stats.centreY[i] = cy / h;
    stats.centreX[i] = cx / w;
  }
  return stats;
}

/** Quantiles compared by {@link statisticDistance}. */
const QUANTILES = 64;

/** The 64 mid-quantiles of `values` (of `values[index[k]]` when `index` is given); zeros when there are none. */
export function quantiles(values: Float64Array, index?: ArrayLike<number>): Float64Array {
  const v = index ? Float64Array.from({ length: index.length }, (_, k) => values[index[k]]) : Float64Array.from(values);
  v.sort();
  const q = new Float64Array(QUANTILES);
  if (v.length) for (let k = 0; k < QUANTILES; k++) q[k] = v[Math.min(v.length - 1, Math.floor(((k + 0.5) / QUANTILES) * v.length))];
  return q;
}

/**
 * The distance between two samples of one statistic: the mean absolute
 * difference of their quantiles (the 1-Wasserstein distance, on 64
 * quantiles), over `scale` (the reference's standard deviation, so that
 * statistics in other units weigh alike).
 */
export function statisticDistance(a: Float64Array, b: Float64Array, scale: number): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d += Math.abs(a[k] - b[k]);
  return d / a.length / scale;
}

/** The standard deviation of `values`, at least 1e-3 (a statistic constant over the reference still gets a finite scale). */
export function spread(values: Float64Array): number {
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.max(Math.sqrt(s / values.length), 1e-3);
}

/** Checks a list of statistic names. */
export function checkStatistics(argument: string, names: unknown): readonly ImageStatistic[] {
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => !(IMAGE_STATISTICS as readonly unknown[]).includes(n))) {
    throw new OtfgenArgumentError(argument, `expected a non-empty list of: ${IMAGE_STATISTICS.join(', ')}; got ${describe(names)}`);
  }
  return names as ImageStatistic[];
}

/** `n` distinct indices of `count`, in order, by a partial Fisher-Yates shuffle (all of them when n >= count). */
export function sampleIndices(count: number, n: number, rng: Rng): Uint32Array {
  if (n >= count) return Uint32Array.from({ length: count }, (_, i) => i);
  const all = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(count - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, n).sort();
}
