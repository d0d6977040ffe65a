import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError, Rng, popcount32 } from '../src/index.js';

describe('Rng', () => {
  it("yields exactly seedrandom's xor128 sequence, for string and integer seeds", () => {
    for (const seed of ['hello', 42, 'otfgen/pixel-count/7']) {
      const ref = seedrandom.xor128(seed as string);
      const rng = new Rng(seed);
      for (let i = 0; i < 1000; i++) expect(rng.int32()).toBe(ref.int32());
    }
  });

  it('fillWords continues the same sequence as int32 calls', () => {
    const a = new Rng('s');
    const b = new Rng('s');
    const words = new Int32Array(100);
    a.fillWords(words);
    for (let i = 0; i < 100; i++) expect(words[i]).toBe(b.int32());
    expect(a.int32()).toBe(b.int32());
  });

  it('fillBernoulliWords sets bits with the asked probability', () => {
    const rng = new Rng(3);
    const words = new Int32Array(20_000);
    for (const p of [0, 0.1, 0.25, 0.5, 0.7, 1]) {
      rng.fillBernoulliWords(words, p);
      let ones = 0;
      for (const w of words) ones += popcount32(w);
      const share = ones / (words.length * 32);
      const q = Math.round(p * 256) / 256;
      expect(Math.abs(share - q)).toBeLessThan(0.003);
    }
  });

  it('forIndex depends only on (seed, index)', () => {
    expect(Rng.forIndex(1, 5).int32()).toBe(Rng.forIndex(1, 5).int32());
    expect(Rng.forIndex(1, 5).int32()).not.toBe(Rng.forIndex(1, 6).int32());
    expect(Rng.forIndex(1, 5).int32()).not.toBe(Rng.forIndex(2, 5).int32());
  });

  it('pick follows the weights and never picks a zero weight', () => {
    const rng = new Rng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.pick([1, 0, 3])]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.7);
    expect(counts[2] / counts[0]).toBeLessThan(3.3);
  });

  it('rejects seeds that are neither integers nor strings', () => {
    expect(() => new Rng(1.5)).toThrow(OtfgenArgumentError);
    expect(() => new Rng(undefined as unknown as number)).toThrow(/seed/);
  });

  it('popcount32 counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(0b1011)).toBe(3);
  });
});
