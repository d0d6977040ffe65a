/**
 * The fashion task's canvas: the layers an item is drawn into (polygon area
 * accumulation, stroke coverage, dark details) and the pass that turns them,
 * with the material's noise, pattern and light, into the image.
 *
 * Hot path: that pass touches every pixel of every sample (with the polygon
 * edges, most of the task's time). It runs in WebAssembly SIMD, two pixels
 * per float64x2 instruction, where there is WebAssembly SIMD (about 2.5 µs an
 * image here, against 8 µs for the same loop in JS), else in JS; both compute
 * the same float64 operations in the same order, so the same bytes (tested).
 * The module's source is shade.wat, which takes the layer offsets below as
 * literals.
 */
import { compileOnce } from '../../image/wasm.js';
import shadeWasm from './shade.wasm.js';

/** Image side. */
export const S = 28;
/** Accumulation row length: the image's columns and two spare ones (see addPolygon). */
export const STRIDE = S + 2;
/** Running sums below this are rounding noise (a closed outline sums to 0 outside it). */
const EPS = 1e-9;

// Byte offsets of the layers in the canvas memory (shade.wat has them as literals).
const ACC = 0; // float64, S rows of STRIDE
const STROKES = ACC + 8 * S * STRIDE; // float32, S x S
const DARK = STROKES + 4 * S * S; // float32, S x S
const OUT = DARK + 4 * S * S; // float32, S x S
const NOISE = OUT + 4 * S * S; // float64, 6 rows of S
const COLS = NOISE + 8 * 6 * S; // float64, S: each column's pattern value
const ROWS = COLS + 8 * S; // float64, S rows of 4: fy, pattern, light, noise row start (an index into NOISE)
const BYTES = ROWS + 8 * 4 * S;

export interface FashionCanvas {
  /** Polygon area accumulation (`addPolygon`, stride STRIDE); cleared by `shade`. */
  readonly acc: Float64Array;
  /** Stroke coverage, S x S, in [0, 1]; combined with the polygons by max; cleared by `shade`. */
  readonly strokes: Float32Array;
  /** Dark details, S x S, in [0, 1]: 1 darkens a pixel to 0.3 of its value; cleared by `shade`. */
  readonly dark: Float32Array;
  /** The material's noise: 6 grid rows, each interpolated along x at every column. */
  readonly noise: Float64Array;
  /** Each column's pattern value. */
  readonly cols: Float64Array;
  /**
   * Per row y, at 4y: fy (weight of the next noise row), the row's pattern
   * value, the row's light falloff, and the index in `noise` of its noise row.
   */
  readonly rows: Float64Array;
  /** Which loop shades: 'wasm' or 'js'. */
  readonly kind: 'wasm' | 'js';
  /**
   * Writes the image (S x S) into out at offset, and clears the layers. A
   * pixel's coverage c is max(stroke, min(1, |area|)); where c > 0 its value is
   * c · brightness · light · (1 − tex · pattern) · (1 − 0.7 · dark), clamped to
   * [0, 1], with noise = the two noise rows blended by fy, pattern =
   * noiseWeight · noise + |cols[x] − row pattern| and light = 1 − shading ·
   * (row light + 0.5 noise); elsewhere it is 0.
   */
  shade(noiseWeight: number, brightness: number, shading: number, tex: number, out: Float32Array, offset: number): void;
}

/** A canvas (one per caller: its layers are reused). `js: true` takes the JS loop even where WebAssembly is. */
export function fashionCanvas(options: { js?: boolean } = {}): FashionCanvas {
  const mod = options.js ? null : compileOnce(compiled, shadeWasm);
  const memory = mod ? new WebAssembly.Memory({ initial: Math.ceil(BYTES / 65536) }) : null;
  const buffer = memory ? memory.buffer : new ArrayBuffer(BYTES);
  const acc = new Float64Array(buffer, ACC, S * STRIDE);
  const strokes = new Float32Array(buffer, STROKES, S * S);
  const dark = new Float32Array(buffer, DARK, S * S);
  const image = new Float32Array(buffer, OUT, S * S);
  const noise = new Float64Array(buffer, NOISE, 6 * S);
  const cols = new Float64Array(buffer, COLS, S);
  const rows = new Float64Array(buffer, ROWS, 4 * S);
  const wasm = mod && (new WebAssembly.Instance(mod, { env: { memory: memory! } }).exports as { shade: (w: number, b: number, s: number, t: number) => void });
  const shade = wasm
    ? (w: number, b: number, s: number, t: number, out: Float32Array, offset: number) => {
        wasm.shade(w, b, s, t);
        out.set(image, offset);
      }
    : (w: number, b: number, s: number, t: number, out: Float32Array, offset: number) =>
        jsShade(acc, strokes, dark, noise, cols, rows, w, b, s, t, out, offset);
  return { acc, strokes, dark, noise, cols, rows, kind: wasm ? 'wasm' : 'js', shade };
}

/**
 * The shading pass in JS: what the WebAssembly module does, operation for
 * operation. The running sum goes by pixel pairs as the module's float64x2
 * lanes do: the pair's second sum is s + (a0 + a1), not (s + a0) + a1.
 */
function jsShade(
  acc: Float64Array,
  strokes: Float32Array,
  dark: Float32Array,
  noise: Float64Array,
  cols: Float64Array,
  rows: Float64Array,
  noiseWeight: number,
  brightness: number,
  shading: number,
  tex: number,
  out: Float32Array,
  offset: number,
): void {
  for (let y = 0; y < S; y++) {
    const fy = rows[4 * y],
      rowPattern = rows[4 * y + 1],
      rowLight = rows[4 * y + 2],
      n0 = rows[4 * y + 3];
    let carry = 0;
    for (let x = 0, a = y * STRIDE, k = y * S; x < S; x += 2, a += 2, k += 2) {
      const a0 = acc[a],
        a1 = acc[a + 1];
      acc[a] = 0;
      acc[a + 1] = 0;
      const s0 = a0 + carry;
      carry = a1 + a0 + carry;
      for (let i = 0; i < 2; i++) {
        let area = i === 0 ? s0 : carry;
        area = area < 0 ? -area : area;
        area = area > EPS ? (area < 1 ? area : 1) : 0;
        const stroke = strokes[k + i];
        const c = stroke > area ? stroke : area;
        strokes[k + i] = 0;
        if (c > 0) {
          const n = noise[n0 + x + i] * (1 - fy) + noise[n0 + S + x + i] * fy;
          const d = cols[x + i] - rowPattern;
          const pattern = noiseWeight * n + (d < 0 ? -d : d);
          const light = 1 - shading * (rowLight + 0.5 * n);
          const v = c * brightness * light * (1 - tex * pattern) * (1 - 0.7 * dark[k + i]);
          out[offset + k + i] = v < 0 ? 0 : v < 1 ? v : 1;
        } else out[offset + k + i] = 0;
        dark[k + i] = 0;
      }
    }
    acc[y * STRIDE + S] = 0;
    acc[y * STRIDE + S + 1] = 0;
  }
}

const compiled: { module?: WebAssembly.Module | null } = {};
