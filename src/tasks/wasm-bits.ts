/**
 * Random bits to 0/1 floats in WebAssembly: the pixel-count task's hot path.
 *
 * Why our own WebAssembly: the task makes 784 floats per sample from 25
 * random words, so its speed is that of drawing and unpacking the bits. The
 * best plain-JS code (the xorshift loop of `Rng.fillBernoulliWords`, then two
 * pixels per Float64 store from a byte table, see `bitUnpacker`) makes about
 * 0.75M samples/s here. This module draws the words with the same xorshift128
 * steps, then writes four pixels per 16-byte SIMD store into a scratch area
 * that stays in cache, and one `TypedArray.set` (a memcpy) moves them into the
 * batch: about 1.5x faster, side by side in one run, same bytes. The module's
 * source is bits.wat (under 1 KB assembled).
 *
 * Where WebAssembly SIMD is missing (an old browser), `wasmBits` returns null
 * and the task uses the plain-JS path: the bytes are the same (tested).
 */
import { bernoulliDigits, type Rng } from '../core/rng.js';
import { compileOnce } from '../image/wasm.js';
import bits from './bits.wasm.js';

const compiled: { module?: WebAssembly.Module | null } = {};

/** Scratch in WebAssembly memory for one sample's bits: fill `words`, `unpack()`, read `pixels`. */
export interface WasmBits {
  /** The sample's random words (a view of the module's memory). */
  readonly words: Int32Array;
  /** The first `pixels` bits of `words` as 0/1 floats, after `unpack()`. */
  readonly pixels: Float32Array;
  /** `rng.fillBernoulliWords(words, p)`: the same words, and the same state after. */
  fillBernoulli(rng: Rng, p: number): void;
  unpack(): void;
}

/** One per caller (its memory is scratch); null where WebAssembly SIMD is unavailable. */
export function wasmBits(pixels: number): WasmBits | null {
  const mod = compileOnce(compiled, bits);
  if (!mod) return null;
  const count = Math.ceil(pixels / 32);
  const wordsAt = 16; // after the xorshift state
  const outAt = wordsAt + Math.ceil((4 * count) / 16) * 16;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((outAt + 128 * count) / 65536) });
  const wasm = new WebAssembly.Instance(mod, { env: { memory } }).exports as {
    unpack(words: number, n: number, out: number): void;
    bernoulli(state: number, q: number, low: number, words: number, n: number): void;
  };
  const state = new Int32Array(memory.buffer, 0, 4);
  const words = new Int32Array(memory.buffer, wordsAt, count);
  return {
    words,
    pixels: new Float32Array(memory.buffer, outAt, pixels),
    fillBernoulli(rng, p) {
      const { q, low } = bernoulliDigits(p);
      if (q <= 0 || q >= 256) return rng.fillBernoulliWords(words, p);
      state[0] = rng.x;
      state[1] = rng.y;
      state[2] = rng.z;
      state[3] = rng.w;
      wasm.bernoulli(0, q, low, wordsAt, count);
      rng.x = state[0];
      rng.y = state[1];
      rng.z = state[2];
      rng.w = state[3];
    },
    unpack: () => wasm.unpack(wordsAt, count, outAt),
  };
}
