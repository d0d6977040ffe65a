import '@tensorflow/tfjs-backend-cpu';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError, Rng, arraySource, digits, fitParams, generate, mix, pickExemplars, renderBatch, shuffle, warmupSchedule } from '../src/index.js';
import { learnedAugmenter } from '../src/adaptive/learned.js';
import { mixPolicy } from '../src/adaptive/mix-policy.js';
import { policyController } from '../src/adaptive/policy.js';
import { popcount32 } from '../src/core/rng.js';
import { selfTraining } from '../src/adaptive/self-training.js';

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

describe('seeds given to the public functions', () => {
  // A seed is an integer or a string; anything else (NaN, 1.5, an object) would otherwise be turned into text and seed without a word.
  const classifier = (x: unknown) => x as never;
  const data = {
    x: new Float32Array(4 * 4),
    y: Int32Array.from([0, 1, 0, 1]),
    count: 4,
    sampleShape: [2, 2, 1],
    target: { kind: 'class', classes: 2 },
  } as const;
  const exemplars = { x: new Float32Array(2 * 784), y: Int32Array.from([0, 1]), sampleShape: [28, 28, 1], target: { kind: 'class', classes: 2 } } as const;
  const stream = () => generate(digits, { seed: 1 });
  const images = { x: new Float32Array(10 * 784).fill(0.5), sampleShape: [28, 28, 1] } as const;
  const makers: [string, (seed: never) => unknown][] = [
    ['generate options.seed', (seed) => generate(digits, { seed })],
    ['renderBatch options.seed', (seed) => renderBatch(digits, { seed, index: 0, batchSize: 1 })],
    ['pickExemplars options.seed', (seed) => pickExemplars(data, { seed })],
    ['fitParams options.seed', (seed) => fitParams(digits, images, { fit: ['slant'], seed, iterations: 0, samples: 20, referenceSamples: 10 })],
    ['mix options.seed', (seed) => mix([stream(), stream()], [1, 1], { batchSize: 8, seed })],
    ['shuffle options.seed', (seed) => shuffle(10, { seed })],
    ['arraySource options.seed', (seed) => arraySource(data, { seed })],
    ['warmupSchedule options.seed', (seed) => warmupSchedule({ synthetic: stream(), real: stream(), totalSteps: 4, warmup: 0.5, seed })],
    ['learnedAugmenter options.seed', (seed) => learnedAugmenter({ classifier, seed })],
    [
      'selfTraining options.seed',
      (seed) =>
        selfTraining({ exemplars, unlabelled: { x: new Uint8Array(784), sampleShape: [28, 28, 1] }, classifier, schedule: [{ at: 1, perClass: 1 }], seed }),
    ],
    ['policyController options.seed', (seed) => policyController(digits, { steer: { slant: [-20, 20] }, seed })],
    ['mixPolicy options.seed', (seed) => mixPolicy({ sources: ['a', 'b'], seed })],
  ];
  it.each(makers)('%s: an integer or a string, else a typed error naming it', (name, make) => {
    for (const bad of [NaN, 1.5, {}, true, [1]]) {
      let error: unknown;
      try {
        make(bad as never);
      } catch (e) {
        error = e;
      }
      expect(error, `${name} = ${String(bad)}`).toBeInstanceOf(OtfgenArgumentError);
      expect((error as OtfgenArgumentError).argument).toBe(name);
      expect((error as Error).message).toMatch(/expected an integer or a string/);
    }
    for (const good of [0, -3, 'run-1']) expect(() => make(good as never)).not.toThrow();
  });
});
