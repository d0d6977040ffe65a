/**
 * Anti-aliased stroke rasterising into a float image: each stroke is a
 * polyline with a radius per point, drawn as the union of capsules.
 *
 * Hot path (every generated digit passes here): no allocation. Coverage of a
 * pixel is clamp((r + soft/2 - d) / soft, 0, 1), where d is the distance from
 * the pixel centre to the segment and r the radius there: a linear ramp `soft`
 * pixels wide centred on the stroke's edge. soft = 1 is the usual cheap
 * analytic anti-aliasing; a wider ramp gives the look of a blurred stroke
 * without a blur pass over the image. A pixel keeps the maximum coverage of
 * the capsules that reach it, so the order they are drawn in does not matter.
 *
 * Two implementations of the per-segment loop, same bytes (tested): plain JS,
 * and WebAssembly SIMD (`strokeRaster`). Why the second: a pixel's outcome
 * (outside the capsule, inside it, on its soft edge) changes from one digit
 * to the next, so the plain loop's branches are mispredicted: it costs about
 * 11 ns a pixel on varied digits against 4 ns on one digit drawn over and
 * over. The WebAssembly loop decides with lane masks and selects (no
 * branches), two pixels at a time in float64 lanes: the same float64
 * arithmetic in the same order, so the same bytes. Its source is
 * segments.wat (with `moments`, the ink's centre of mass).
 */
import { compileOnce } from '../../image/wasm.js';
import segments from './segments.wasm.js';

/**
 * A segment record: RECORD float64s, cx0, cx1, cy0, cy1 (the pixels to visit),
 * x0, y0, r0 at its start, dr, dx, dy from start to end, invLen2 =
 * 1 / (dx² + dy²) (0 for a dot), half = soft / 2, inv = 1 / soft.
 */
const RECORD = 13;
const BOX_MARGIN = 1e-6;

/** Draws the capsule of the record at `at` in `rec` into the image at `offset` in `out`, `width` pixels a row. */
function jsSegment(rec: Float64Array, at: number, out: Float32Array, offset: number, width: number): void {
  const cx0 = rec[at],
    cx1 = rec[at + 1],
    cy0 = rec[at + 2],
    cy1 = rec[at + 3];
  const x0 = rec[at + 4],
    y0 = rec[at + 5],
    r0 = rec[at + 6],
    dr = rec[at + 7];
  const dx = rec[at + 8],
    dy = rec[at + 9],
    invLen2 = rec[at + 10],
    half = rec[at + 11],
    inv = rec[at + 12];
  for (let py = cy0; py <= cy1; py++) {
    const ry = py + 0.5 - y0;
    const row = offset + py * width;
    for (let px = cx0; px <= cx1; px++) {
      const prev = out[row + px];
      if (prev >= 1) continue; // consecutive capsules overlap: many pixels are already full
      const rx = px + 0.5 - x0;
      let t = (rx * dx + ry * dy) * invLen2;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = rx - t * dx,
        ey = ry - t * dy;
      const r = r0 + dr * t;
      const d2 = ex * ex + ey * ey;
      const reach = r + half;
      if (d2 >= reach * reach) continue;
      const inner = r - half;
      const v = inner > 0 && d2 <= inner * inner ? 1 : (reach - Math.sqrt(d2)) * inv;
      if (v > prev) out[row + px] = v;
    }
  }
}

/**
 * Writes a record into `rec` for each segment of the polyline (points from ..
 * from + count - 1 of `pts`, x, y, radius triples; one point: a dot) that
 * reaches into the width x height image, from record `n` on; returns the
 * records' new count. `box` (columns box[0]..box[1], rows box[2]..box[3])
 * grows to hold the pixels visited. With `pairs`, each record spans an even
 * number of columns (see strokeRaster). `rec` must have room for 2 records a
 * segment.
 */
function segmentRecords(
  pts: Float64Array,
  from: number,
  count: number,
  width: number,
  height: number,
  soft: number,
  rec: Float64Array,
  n: number,
  box: Int32Array,
  pairs: boolean,
): number {
  const half = soft / 2,
    inv = 1 / soft;
  const last = count === 1 ? from + 1 : from + count - 1;
  for (let k = from; k < last; k++) {
    const i = k,
      j = count === 1 ? k : k + 1;
    const x0 = pts[3 * i],
      y0 = pts[3 * i + 1],
      r0 = pts[3 * i + 2];
    const x1 = pts[3 * j],
      y1 = pts[3 * j + 1],
      r1 = pts[3 * j + 2];
    // The pixels whose centres (px + 0.5) lie within the capsule's reach of its
    // end points' box, with a margin far above rounding error: every pixel the
    // capsule can change, and few others.
    const rMax = (r0 > r1 ? r0 : r1) + half + BOX_MARGIN;
    let cx0 = Math.max(0, Math.ceil(Math.min(x0, x1) - rMax - 0.5)),
      cx1 = Math.min(width - 1, Math.floor(Math.max(x0, x1) + rMax - 0.5));
    const cy0 = Math.max(0, Math.ceil(Math.min(y0, y1) - rMax - 0.5)),
      cy1 = Math.min(height - 1, Math.floor(Math.max(y0, y1) + rMax - 0.5));
    if (!(cx0 <= cx1 && cy0 <= cy1)) continue; // out of the image
    if (cx0 < box[0]) box[0] = cx0;
    if (cx1 > box[1]) box[1] = cx1;
    if (cy0 < box[2]) box[2] = cy0;
    if (cy1 > box[3]) box[3] = cy1;
    let split = -1;
    if (pairs && (cx1 - cx0) % 2 === 0) {
      // An odd number of columns: widen by a pixel the capsule cannot reach,
      // on the right or, at the image's edge, on the left; where the box spans
      // an odd-width image, a second record redraws the last two columns
      // (drawing a pixel twice keeps the same maximum).
      if (cx1 + 1 < width) cx1++;
      else if (cx0 > 0) cx0--;
      else split = cx1--;
    }
    const dx = x1 - x0,
      dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (;;) {
      const at = RECORD * n++;
      rec[at] = cx0;
      rec[at + 1] = cx1;
      rec[at + 2] = cy0;
      rec[at + 3] = cy1;
      rec[at + 4] = x0;
      rec[at + 5] = y0;
      rec[at + 6] = r0;
      rec[at + 7] = r1 - r0;
      rec[at + 8] = dx;
      rec[at + 9] = dy;
      rec[at + 10] = len2 > 1e-12 ? 1 / len2 : 0;
      rec[at + 11] = half;
      rec[at + 12] = inv;
      if (split < 0) break;
      cx0 = split - 1;
      cx1 = split;
      split = -1;
    }
  }
  return n;
}

// Records for calls of strokePolyline; grown as needed.
let scratch = new Float64Array(RECORD * 64);
const scratchBox = new Int32Array(4);

/**
 * Draws the segments between points `from` .. `from + count - 1` of `pts`
 * (x, y, radius triples) into `out` (height x width at `offset`), keeping the
 * maximum coverage. A single point draws a dot. Plain JS; `strokeRaster` is
 * the faster way to draw many strokes into one image.
 */
export function strokePolyline(
  pts: Float64Array,
  from: number,
  count: number,
  out: Float32Array,
  offset: number,
  width: number,
  height: number,
  soft = 1,
): void {
  if (scratch.length < 2 * RECORD * count) scratch = new Float64Array(2 * RECORD * count);
  const n = segmentRecords(pts, from, count, width, height, soft, scratch, 0, scratchBox, false);
  for (let k = 0; k < n; k++) jsSegment(scratch, RECORD * k, out, offset, width);
}

/**
 * Math.hypot(x, y) as V8 computes it, so the same bytes as before it was
 * written: both scaled by the larger, squared, summed (the builtin's
 * compensated sum has nothing to compensate with two terms), square-rooted and
 * scaled back. Hot path: the builtin is a call into the runtime, about 2 µs of
 * each digit's 15. Edge values (0, infinities, NaN) go to the builtin.
 */
export function hypot2(x: number, y: number): number {
  const a = Math.abs(x),
    b = Math.abs(y);
  const m = a > b ? a : b;
  if (!(m > 0 && m < Infinity) || b !== b) return Math.hypot(x, y);
  const p = a / m,
    q = b / m;
  return Math.sqrt(p * p + q * q) * m;
}

/** An image to draw strokes into, with the fastest segment loop available. */
export interface StrokeRaster {
  /** The width x height image. */
  readonly image: Float32Array;
  /**
   * Columns box[0]..box[1] and rows box[2]..box[3]: every pixel drawn since the
   * last `clear()` is inside (all others are 0); box[0] > box[1] when none is.
   */
  readonly box: Int32Array;
  /** Zeroes the image and empties the box. */
  clear(): void;
  /**
   * The sums over the box of each pixel's value v, v·x and v·y (x its column,
   * y its row), added row by row from the top left, for the image's centre of
   * mass: [m, mx, my] (zeros when nothing is drawn). The same array every call.
   */
  moments(): Float64Array;
  /** Which loop draws: 'wasm' (WebAssembly SIMD) or 'js'. */
  readonly kind: 'wasm' | 'js';
  /** As `strokePolyline` into `image`. */
  stroke(pts: Float64Array, from: number, count: number, soft: number): void;
}

/**
 * A scratch image with its stroke function: in WebAssembly memory where there
 * is WebAssembly SIMD (pass `js: true` for the plain loop), else a plain array.
 * One per caller: the image is reused.
 */
export function strokeRaster(width: number, height: number, options: { js?: boolean } = {}): StrokeRaster {
  const mod = options.js || width < 2 ? null : compileOnce(compiled, segments);
  const imageBytes = Math.ceil((4 * width * height) / 16) * 16;
  // Memory: the image, the segment records, then the three moments.
  const sumsAt = imageBytes + 8 * RECORD * MAX_RECORDS;
  const memory = mod ? new WebAssembly.Memory({ initial: Math.ceil((sumsAt + 24) / 65536) }) : null;
  const image = memory ? new Float32Array(memory.buffer, 0, width * height) : new Float32Array(width * height);
  const records = memory ? new Float64Array(memory.buffer, imageBytes, RECORD * MAX_RECORDS) : new Float64Array(RECORD * MAX_RECORDS);
  const sums = memory ? new Float64Array(memory.buffer, sumsAt, 3) : new Float64Array(3);
  const box = new Int32Array([width, -1, height, -1]);
  const clear = () => {
    // One fill of the whole image: a digit's box is most of it, and fill is a
    // memset (about 45 ns for 28x28) where a JS loop over the box's pixels
    // took about 400 ns.
    if (box[0] <= box[1]) image.fill(0);
    box[0] = width;
    box[1] = -1;
    box[2] = height;
    box[3] = -1;
  };
  const wasm =
    mod &&
    (new WebAssembly.Instance(mod, { env: { memory: memory! } }).exports as {
      segments: (image: number, width: number, records: number, end: number) => void;
      moments: (image: number, width: number, x0: number, x1: number, y0: number, y1: number, out: number) => void;
    });
  const moments = () => {
    if (box[0] > box[1] || box[2] > box[3]) {
      sums.fill(0);
    } else if (wasm) {
      wasm.moments(0, width, box[0], box[1], box[2], box[3], sumsAt);
    } else {
      let m = 0,
        mx = 0,
        my = 0;
      for (let y = box[2]; y <= box[3]; y++) {
        for (let x = box[0]; x <= box[1]; x++) {
          const v = image[y * width + x];
          m += v;
          mx += v * x;
          my += v * y;
        }
      }
      sums[0] = m;
      sums[1] = mx;
      sums[2] = my;
    }
    return sums;
  };
  // One call into WebAssembly per stroke (or per MAX_RECORDS / 2 segments), not
  // per segment: a call from JS costs about as much as drawing a small segment.
  const stroke = (pts: Float64Array, from: number, count: number, soft: number) => {
    if (count <= 0) return;
    const chunk = MAX_RECORDS / 2; // segments: up to 2 records each
    for (let start = from, end = from + Math.max(count - 1, 1); start < end; start += chunk) {
      const n = segmentRecords(pts, start, count === 1 ? 1 : Math.min(chunk, end - start) + 1, width, height, soft, records, 0, box, wasm !== null);
      if (wasm) wasm.segments(0, width, imageBytes, imageBytes + 8 * RECORD * n);
      else for (let k = 0; k < n; k++) jsSegment(records, RECORD * k, image, 0, width);
    }
  };
  return { image, box, clear, moments, kind: wasm ? 'wasm' : 'js', stroke };
}

const MAX_RECORDS = 512;
const compiled: { module?: WebAssembly.Module | null } = {};
