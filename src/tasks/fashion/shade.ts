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
 * Why by hand: see wasm-asm.ts.
 */
import { compileOnce, f64le, op, simd, simdOp, sleb, uleb, wasmModule } from '../../image/wasm-asm.js';

/** Image side. */
export const S = 28;
/** Accumulation row length: the image's columns and two spare ones (see addPolygon). */
export const STRIDE = S + 2;
/** Running sums below this are rounding noise (a closed outline sums to 0 outside it). */
const EPS = 1e-9;

// Byte offsets of the layers in the canvas memory.
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
  const mod = options.js ? null : compileOnce(compiled, shadeModule);
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

/**
 * shade(noiseWeight, brightness, shading, tex): `jsShade` over the canvas
 * memory laid out as above, two pixels at a time in float64x2 lanes, writing
 * the image at OUT.
 */
function shadeModule(): Uint8Array<ArrayBuffer> {
  const { i32, f64, v128 } = op;
  const { localGet: get, localSet: set, localTee: tee } = op;
  const s = simd;
  const {
    f64x2Splat: splat,
    f64x2Add: add,
    f64x2Sub: sub,
    f64x2Mul: mul,
    f64x2Abs: abs,
    f64x2Pmin: pmin,
    f64x2Pmax: pmax,
    f64x2Lt: lt,
    f64x2Gt: gt,
    v128Bitselect: bitselect,
  } = simdOp;
  const [W, B, SH, T] = [0, 1, 2, 3]; // params (f64)
  // i32: acc byte address, pixel byte offset (4k), column byte offset (8x), rows byte address, noise row byte offset
  const [a, k, x8, r, n] = [4, 5, 6, 7, 8];
  // v128: the params and the row's values splatted, the running sum's carry, and per pair: sums, coverage, noise, value
  const [vW, vB, vSH, vT, FY, FY1, RP, RL, carry, sums, c, nz, v] = Array.from({ length: 13 }, (_, i) => 9 + i);
  const f64x2 = (x: number) => [...s(simdOp.v128Const), ...f64le(x, x)];
  const ZERO = f64x2(0),
    ONE = f64x2(1);
  const shuffle = (...lanes: number[]) => [...s(simdOp.i8x16Shuffle), ...lanes];
  const LOW_UP = shuffle(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); // (a, b) -> (a0, b0)
  const HIGH_BOTH = shuffle(8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15); // (a, _) -> (a1, a1)
  // Loads and stores at a constant offset (the layer) from an i32 address on the stack, with alignment hints.
  const f64At = (offset: number) => [op.f64Load, 3, ...uleb(offset)];
  const v128At = (offset: number) => [...s(simdOp.v128Load), 4, ...uleb(offset)];
  const v128To = (offset: number) => [...s(simdOp.v128Store), 4, ...uleb(offset)];
  // Two float32s as float64x2: a full 16-byte load, of which the low half is used (the last pair of a layer
  // reads into the next one). Not v128.load64_zero: with it, V8 11's optimised code (Node 20) read the zeros
  // that the layer's clearing store writes later in the loop (the JS comparison test fails that way).
  const pairAt = (offset: number) => [...s(simdOp.v128Load), 3, ...uleb(offset), ...s(simdOp.f64x2PromoteLowF32x4)];
  const pairTo = (offset: number) => [...s(simdOp.f32x4DemoteF64x2Zero), ...s(simdOp.v128Store64Lane), 3, ...uleb(offset), 0];
  const splatParam = (p: number, to: number) => [get, p, ...s(splat), set, to];
  const code = [
    ...splatParam(W, vW),
    ...splatParam(B, vB),
    ...splatParam(SH, vSH),
    ...splatParam(T, vT),
    op.i32Const,
    ...sleb(ROWS),
    set,
    r,
    op.loop,
    op.void, // rows
    get,
    r,
    ...f64At(0),
    ...s(splat),
    set,
    FY,
    ...ONE,
    get,
    FY,
    ...s(sub),
    set,
    FY1,
    get,
    r,
    ...f64At(8),
    ...s(splat),
    set,
    RP,
    get,
    r,
    ...f64At(16),
    ...s(splat),
    set,
    RL,
    get,
    r,
    ...f64At(24),
    op.i32TruncF64S,
    op.i32Const,
    3,
    op.i32Shl,
    set,
    n,
    ...ZERO,
    set,
    carry,
    op.i32Const,
    0,
    set,
    x8,
    op.loop,
    op.void, // pixel pairs
    // sums = (a0 + carry, (a1 + a0) + carry); carry = the second; the pair of acc cleared
    get,
    a,
    ...v128At(ACC),
    tee,
    sums,
    ...ZERO,
    get,
    sums,
    ...LOW_UP,
    ...s(add),
    get,
    carry,
    ...s(add),
    set,
    sums,
    get,
    sums,
    get,
    sums,
    ...HIGH_BOTH,
    set,
    carry,
    get,
    a,
    ...ZERO,
    ...v128To(ACC),
    // c = pmax(area, stroke), area = |sums| > EPS ? pmin(|sums|, 1) : 0; strokes cleared
    get,
    sums,
    ...s(abs),
    ...ONE,
    ...s(pmin),
    ...ZERO,
    get,
    sums,
    ...s(abs),
    ...f64x2(EPS),
    ...s(gt),
    ...s(bitselect),
    get,
    k,
    ...pairAt(STROKES),
    ...s(pmax),
    set,
    c,
    get,
    k,
    ...ZERO,
    ...s(simdOp.v128Store64Lane),
    3,
    ...uleb(STROKES),
    0,
    // nz = noise row (1 - fy) + next noise row fy
    get,
    n,
    get,
    x8,
    op.i32Add,
    ...v128At(NOISE),
    get,
    FY1,
    ...s(mul),
    get,
    n,
    get,
    x8,
    op.i32Add,
    ...v128At(NOISE + 8 * S),
    get,
    FY,
    ...s(mul),
    ...s(add),
    set,
    nz,
    // v = c · brightness · light · (1 − tex · pattern) · (1 − 0.7 · dark), light = 1 − shading (rl + 0.5 n), pattern = w n + |cols − rp|
    get,
    c,
    get,
    vB,
    ...s(mul),
    ...ONE,
    get,
    vSH,
    get,
    RL,
    ...f64x2(0.5),
    get,
    nz,
    ...s(mul),
    ...s(add),
    ...s(mul),
    ...s(sub),
    ...s(mul),
    ...ONE,
    get,
    vT,
    get,
    vW,
    get,
    nz,
    ...s(mul),
    get,
    x8,
    ...v128At(COLS),
    get,
    RP,
    ...s(sub),
    ...s(abs),
    ...s(add),
    ...s(mul),
    ...s(sub),
    ...s(mul),
    ...ONE,
    ...f64x2(0.7),
    get,
    k,
    ...pairAt(DARK),
    ...s(mul),
    ...s(sub),
    ...s(mul),
    set,
    v,
    get,
    k,
    ...ZERO,
    ...s(simdOp.v128Store64Lane),
    3,
    ...uleb(DARK),
    0,
    // out = c > 0 ? (v < 0 ? 0 : pmin(v, 1)) : 0
    get,
    k,
    ...ZERO,
    get,
    v,
    ...ONE,
    ...s(pmin),
    get,
    v,
    ...ZERO,
    ...s(lt),
    ...s(bitselect),
    ...ZERO,
    get,
    c,
    ...ZERO,
    ...s(gt),
    ...s(bitselect),
    ...pairTo(OUT),
    // next pair
    get,
    a,
    op.i32Const,
    16,
    op.i32Add,
    set,
    a,
    get,
    k,
    op.i32Const,
    8,
    op.i32Add,
    set,
    k,
    get,
    x8,
    op.i32Const,
    16,
    op.i32Add,
    tee,
    x8,
    op.i32Const,
    ...sleb(8 * S),
    op.i32LtS,
    op.brIf,
    0,
    op.end,
    // clear the two spare columns; next row
    get,
    a,
    ...ZERO,
    ...v128To(ACC),
    get,
    a,
    op.i32Const,
    16,
    op.i32Add,
    set,
    a,
    get,
    r,
    op.i32Const,
    32,
    op.i32Add,
    set,
    r,
    get,
    k,
    op.i32Const,
    ...sleb(4 * S * S),
    op.i32LtS,
    op.brIf,
    0,
    op.end,
  ];
  return wasmModule([
    {
      name: 'shade',
      params: [f64, f64, f64, f64],
      locals: [
        [5, i32],
        [13, v128],
      ],
      code,
    },
  ]);
}
