/**
 * The few pieces of the WebAssembly binary format that our hand-built hot
 * loops need (wasm-bits.ts: pixelCount's bits; digits/raster.ts: stroke
 * coverage; fashion/shade.ts: shading). Why by hand: there is no WebAssembly
 * toolchain among our dependencies, and a prebuilt binary blob could not be
 * reviewed; each module is a few hundred bytes, written here opcode by opcode
 * with comments.
 */

/** Unsigned LEB128. */
export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 127;
    n >>>= 7;
    if (n) b |= 128;
    out.push(b);
  } while (n);
  return out;
};

/** Signed LEB128. */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 127;
    n >>= 7;
    if ((n === 0 && !(b & 64)) || (n === -1 && b & 64)) return [...out, b];
    out.push(b | 128);
  }
};

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

/** Little-endian bytes of 32-bit integers (for v128.const of i32 lanes). */
export const i32le = (...xs: number[]): number[] => xs.flatMap((x) => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, (x >>> 24) & 255]);

/** Little-endian bytes of float64 values (for f64.const and v128.const of f64 lanes). */
export const f64le = (...xs: number[]): number[] => Array.from(new Uint8Array(new Float64Array(xs).buffer));

/** Core opcodes used (value types too: i32, f64, v128; void is the empty block type). */
export const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  void: 0x40,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  i32TruncF64S: 0xaa,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
  i32: 0x7f,
  f64: 0x7c,
  v128: 0x7b,
} as const;

/** SIMD opcodes (each follows the 0xfd prefix, as LEB128). */
export const simdOp = {
  v128Load: 0,
  v128Store: 11,
  v128Const: 12,
  i8x16Shuffle: 13,
  i32x4Splat: 17,
  f64x2Splat: 20,
  i32x4Eq: 55,
  f64x2Lt: 73,
  f64x2Gt: 74,
  f64x2Le: 75,
  v128And: 78,
  v128Bitselect: 82,
  v128Store64Lane: 91,
  v128Load64Zero: 93,
  f32x4DemoteF64x2Zero: 94,
  f64x2PromoteLowF32x4: 95,
  i32x4ShrU: 173,
  i32x4Add: 174,
  f64x2Abs: 236,
  f64x2Sqrt: 239,
  f64x2Add: 240,
  f64x2Sub: 241,
  f64x2Mul: 242,
  f64x2Pmin: 246,
  f64x2Pmax: 247,
  f64x2ConvertLowI32x4S: 254,
} as const;
export const simd = (code: number): number[] => [0xfd, ...uleb(code)];

/** A function for `wasmModule`: its type (params, no results), its locals and its code. */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly number[];
  /** Runs of [count, value type], after the params. */
  readonly locals: readonly (readonly [number, number])[];
  /** The body's instructions, without the final `end`. */
  readonly code: readonly number[];
}

/** A module importing `env.memory` (one page at least) and exporting `functions`. */
export function wasmModule(functions: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const bodies = functions.map((f) => [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, op.end]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]))),
    ...section(2, vec([[...name('env'), ...name('memory'), 2, 0, 1]])), // memory import, at least 1 page
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0, ...uleb(i)]))),
    ...section(10, vec(bodies.map((body) => [...uleb(body.length), ...body]))),
  ]);
}

/** Compiles `bytes` once (through `cache`); null where WebAssembly or the features used are missing. */
export function compileOnce(cache: { module?: WebAssembly.Module | null }, bytes: () => Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  if (cache.module === undefined) {
    const b = bytes();
    cache.module = typeof WebAssembly === 'object' && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
  }
  return cache.module;
}
