/**
 * The RNG's less travelled paths (uniform, pick's fallback after rounding,
 * fillBernoulliWords at p = 0, the seed a batch index gets) and toDataset's
 * iterators: which source iterator it closes, and when, with no tensor left.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError } from '../src/core/errors.js';
import { bernoulliDigits, checkSeed, Rng } from '../src/core/rng.js';
import { toDataset, toTensors } from '../src/stream/tensors.js';
import { numbered, tracked } from './helpers.js';

/** An Rng whose next() returns `value`. */
function fixed(value: number): Rng {
  const r = new Rng(1);
  r.next = () => value;
  return r;
}

describe('Rng', () => {
  it('uniform(lo, hi) is lo + (hi - lo) times the next draw', () => {
    const a = new Rng(7),
      b = new Rng(7);
    for (let i = 0; i < 20; i++) expect(a.uniform(2, 5)).toBe(2 + 3 * b.next());
    expect(fixed(0).uniform(-1, 3)).toBe(-1);
    expect(fixed(0.5).uniform(-1, 3)).toBe(1);
  });

  it('pick: a draw of exactly 0 skips zero weights; a total above the sum falls back to the last positive weight', () => {
    expect(fixed(0).pick([0, 1])).toBe(1);
    expect(fixed(0).pick([0, 0, 2])).toBe(2);
    expect(fixed(0.9).pick([1, 1, 0], 3)).toBe(1);
    expect(fixed(0.9).pick([0, 0], 1)).toBe(0);
    expect(fixed(0.49).pick([1, 1])).toBe(0);
    expect(fixed(0.5).pick([1, 1])).toBe(1);
  });

  it('forIndex seeds from (seed, stream, k) as text', () => {
    expect(Rng.forIndex(1, 2).next()).toBe(new Rng('1//2').next());
    expect(Rng.forIndex('s', 0, 'digits').next()).toBe(new Rng('s/digits/0').next());
    expect(() => Rng.forIndex(1.5, 0)).toThrow('seed: expected an integer or a string, got 1.5');
  });

  it('checkSeed takes integers and strings only, naming the argument', () => {
    expect(checkSeed('o.seed', -3)).toBe(-3);
    expect(checkSeed('o.seed', '')).toBe('');
    for (const [bad, shown] of [
      [1.5, '1.5'],
      [NaN, 'NaN'],
      [null, 'null'],
      [{}, '{}'],
    ] as const) {
      expect(() => checkSeed('o.seed', bad)).toThrow(OtfgenArgumentError);
      expect(() => checkSeed('o.seed', bad)).toThrow(`o.seed: expected an integer or a string, got ${shown}`);
    }
  });

  it('fillBernoulliWords at p = 0 (or below 1/512) writes zeros and draws nothing; at 1, all ones', () => {
    for (const p of [0, 1 / 1024]) {
      const r = new Rng(3),
        twin = new Rng(3);
      const out = new Int32Array(8).fill(5);
      r.fillBernoulliWords(out, p, 2, 6);
      expect(Array.from(out)).toEqual([5, 5, 0, 0, 0, 0, 5, 5]);
      expect(r.next()).toBe(twin.next());
    }
    const ones = new Int32Array(3);
    new Rng(3).fillBernoulliWords(ones, 1);
    expect(Array.from(ones)).toEqual([-1, -1, -1]);
  });

  it('bernoulliDigits: p in 256ths and its lowest set binary digit', () => {
    expect(bernoulliDigits(0)).toEqual({ q: 0, low: 0 });
    expect(bernoulliDigits(1)).toEqual({ q: 256, low: 0 });
    expect(bernoulliDigits(0.5)).toEqual({ q: 128, low: 7 });
    expect(bernoulliDigits(3 / 256)).toEqual({ q: 3, low: 0 });
    expect(bernoulliDigits(12 / 256)).toEqual({ q: 12, low: 2 });
    expect(bernoulliDigits(255 / 256)).toEqual({ q: 255, low: 0 });
  });
});

describe('toTensors and toDataset', () => {
  it('one-hot labels set exactly one 1 a row; a bad labels option is named', () => {
    const before = tf.memory().numTensors;
    const b = numbered(0, 5, [2], { kind: 'class', classes: 3 });
    const { xs, ys } = toTensors(b);
    expect(ys.arraySync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(b, { labels: 'hot' as never })).toThrow("toTensors options.labels: expected 'oneHot' or 'index', got \"hot\"");
    expect(() => toDataset([] as never)).toThrow('toDataset(stream): expected an async iterable of batches, got []');
  });

  it("an iterator's return() closes its source; a new iterator closes the one before; close() closes the open one", async () => {
    const before = tf.memory().numTensors;
    const first = tracked([2], { endless: true });
    const ds = toDataset(first.source);
    const it1 = await ds.iterator();
    const got = await it1.next();
    tf.dispose([got.value!.xs, got.value!.ys]);
    expect(await (it1 as unknown as AsyncIterator<unknown>).return!()).toEqual({ done: true, value: undefined });
    expect(first.state.closed).toBe(true);

    const second = tracked([2], { endless: true });
    const ds2 = toDataset(second.source);
    const a = await ds2.iterator();
    await a.next().then((r) => tf.dispose([r.value!.xs, r.value!.ys]));
    await ds2.iterator(); // a new pass: the open one is closed first
    expect(second.state.closed).toBe(true);

    const third = tracked([2], { endless: true });
    const ds3 = toDataset(third.source);
    const c = await ds3.iterator();
    await c.next().then((r) => tf.dispose([r.value!.xs, r.value!.ys]));
    await ds3.close();
    expect(third.state.closed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a pass that ended is not closed again, and its source without return() is fine', async () => {
    let returns = 0;
    const source: AsyncIterable<ReturnType<typeof numbered>> = {
      [Symbol.asyncIterator]: () => {
        let k = 0;
        return {
          next: async () => (k++ < 1 ? { done: false, value: numbered(0, 2) } : { done: true, value: undefined }),
          return: async () => (returns++, { done: true, value: undefined }),
        };
      },
    };
    const ds = toDataset(source);
    const it = await ds.iterator();
    const r = await it.next();
    tf.dispose([r.value!.xs, r.value!.ys]);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    await ds.close();
    expect(returns).toBe(0);
    const bare: AsyncIterable<ReturnType<typeof numbered>> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: numbered(0, 2) }) }) };
    const it2 = await toDataset(bare).iterator();
    expect(await (it2 as unknown as AsyncIterator<unknown>).return!()).toEqual({ done: true, value: undefined });
  });
});
