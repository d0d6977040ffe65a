/**
 * Seeded random numbers: seedrandom's xor128 generator, with bulk fills.
 *
 * seedrandom seeds the state (string or integer seeds, as users know them); the
 * recurrence itself is repeated inline here because the hot paths (binary
 * pixels, noise fields) need millions of words a second and a closure call per
 * word costs more than the word. A test checks that the sequence is exactly
 * seedrandom's `xor128(seed).int32()` sequence.
 */
import seedrandom from 'seedrandom';
import { OtfgenArgumentError, describe } from './errors.js';

/** A seed: an integer or a string. */
export type Seed = number | string;

interface XorState {
  x: number;
  y: number;
  z: number;
  w: number;
}

const INV_2_32 = 1 / 4294967296;

/**
 * Checks a seed given to a public function, naming the option: an integer or a string
 * (`NaN`, `1.5` or an object would otherwise be turned into text and seed without a word).
 */
export function checkSeed(argument: string, value: unknown): Seed {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return value;
  throw new OtfgenArgumentError(argument, `expected an integer or a string, got ${describe(value)}`);
}

/** A seeded generator. Not cryptographic. Same seed, same sequence, on every platform. */
export class Rng {
  /** xor128 state, word 1 of 4. Public so the hot-path fills can keep the state in locals and store it back. */
  x: number;
  /** xor128 state, word 2 of 4. */
  y: number;
  /** xor128 state, word 3 of 4. */
  z: number;
  /** xor128 state, word 4 of 4. */
  w: number;

  /** Seeds from an integer or string, as `seedrandom.xor128(seed)` does. */
  constructor(seed: Seed) {
    checkSeed('seed', seed);
    // seedrandom treats 32-bit integers as numbers and anything else as text.
    const s = seedrandom.xor128(seed as string, { state: true }).state() as XorState;
    this.x = s.x | 0;
    this.y = s.y | 0;
    this.z = s.z | 0;
    this.w = s.w | 0;
  }

  /**
   * The generator for item `k` of the stream seeded `seed`: depends only on
   * (seed, k), so any batch can be made alone, in any worker, in any order.
   */
  static forIndex(seed: Seed, k: number, stream = ''): Rng {
    checkSeed('seed', seed);
    return new Rng(`${seed}/${stream}/${k}`);
  }

  /** A signed 32-bit integer. */
  int32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    return (this.w ^= (this.w >>> 19) ^ t ^ (t >>> 8));
  }

  /** A float in [0, 1) with 32 random bits. */
  next(): number {
    return (this.int32() >>> 0) * INV_2_32;
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box-Muller, one of the pair; stateless by design). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  pick(weights: ArrayLike<number>, total?: number): number {
    let sum = total ?? 0;
    if (total === undefined) for (let i = 0; i < weights.length; i++) sum += weights[i];
    let r = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    // Rounding can leave r at 0 after the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return 0;
  }

  /** Fills `out` with random 32-bit words (inline recurrence: no call per word). */
  fillWords(out: Int32Array | Uint32Array, start = 0, end = out.length): void {
    let x = this.x,
      y = this.y,
      z = this.z,
      w = this.w;
    for (let i = start; i < end; i++) {
      const t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w ^= (w >>> 19) ^ t ^ (t >>> 8);
      out[i] = w;
    }
    this.x = x;
    this.y = y;
    this.z = z;
    this.w = w;
  }

  /**
   * Fills `out[start..end)` with words whose bits are each 1 with probability
   * `p`, exact to 1/256 (p is rounded to the nearest multiple of 1/256).
   *
   * Bit-sliced: for the binary digits of p from the lowest set one up, a fresh
   * word is OR-ed (digit 1) or AND-ed (digit 0) in, so one word serves 32 pixels
   * and p = 0.5 costs a single word per 32 pixels.
   */
  fillBernoulliWords(out: Int32Array | Uint32Array, p: number, start = 0, end = out.length): void {
    const { q, low } = bernoulliDigits(p);
    if (q <= 0) {
      out.fill(0, start, end);
      return;
    }
    if (q >= 256) {
      out.fill(-1, start, end);
      return;
    }
    let x = this.x,
      y = this.y,
      z = this.z,
      w = this.w;
    for (let i = start; i < end; i++) {
      let r = 0;
      for (let b = low; b < 8; b++) {
        const t = x ^ (x << 11);
        x = y;
        y = z;
        z = w;
        w ^= (w >>> 19) ^ t ^ (t >>> 8);
        r = (q >> b) & 1 ? r | w : r & w;
      }
      out[i] = r;
    }
    this.x = x;
    this.y = y;
    this.z = z;
    this.w = w;
  }
}

/**
 * p in 256ths for `fillBernoulliWords` (q = round(256p), 0..256) and the
 * lowest binary digit of q that is 1 (the first word it draws).
 */
export function bernoulliDigits(p: number): { q: number; low: number } {
  const q = Math.round(p * 256);
  let low = 0;
  if (q > 0 && q < 256) while (((q >> low) & 1) === 0) low++;
  return { q, low };
}

/** Number of 1 bits in a 32-bit word. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
