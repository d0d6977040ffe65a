import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError, Stream, concat, fromIterable, map, mix, prefetch, rebatch, shard, shuffle, take } from '../src/index.js';
import { splitCounts } from '../src/stream/mix.js';
import { numbered, targets, tracked } from './helpers.js';

describe('map / take / concat / shard', () => {
  it('map transforms every item and keeps the size', async () => {
    const s = fromIterable([1, 2, 3]).pipe(map((v) => v * 10));
    expect(s.size).toBe(3);
    expect(await s.toArray()).toEqual([10, 20, 30]);
  });

  it('map awaits async functions in order', async () => {
    const s = fromIterable([3, 1, 2]).map(async (v) => {
      await new Promise((r) => setTimeout(r, v));
      return v;
    });
    expect(await s.toArray()).toEqual([3, 1, 2]);
  });

  it('take stops early, closes the source and computes its size', async () => {
    const { state, source } = tracked([2], { endless: true });
    const s = fromIterable(source, Infinity).pipe(take(3));
    expect(s.size).toBe(3);
    expect((await s.toArray()).length).toBe(3);
    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(3);
    expect(fromIterable([1, 2]).take(5).size).toBe(2);
    expect(() => take(-1)).toThrow(OtfgenArgumentError);
  });

  it('concat yields each source in turn and sums sizes', async () => {
    const s = concat(fromIterable([1, 2]), fromIterable([3]));
    expect(s.size).toBe(3);
    expect(await s.toArray()).toEqual([1, 2, 3]);
    expect(concat(fromIterable([1]), fromIterable((async function* () {})())).size).toBe(null);
  });

  it('shard k of n takes every n-th item', async () => {
    const items = fromIterable([0, 1, 2, 3, 4, 5, 6]);
    expect(await items.pipe(shard(1, 3)).toArray()).toEqual([1, 4]);
    expect(items.pipe(shard(1, 3)).size).toBe(2);
    expect(items.pipe(shard(0, 3)).size).toBe(3);
    expect(() => shard(3, 3)).toThrow(/shard\(index\)/);
  });

  it('a replayable stream gives the same items on every pass', async () => {
    const s = fromIterable(() => [1, 2, 3]).map((v) => v + 1);
    expect(await s.toArray()).toEqual(await s.toArray());
  });

  it('concat, map and pipe refuse what they cannot use, naming it', () => {
    const s = fromIterable([1, 2]);
    expect(() => concat(s, 5 as never)).toThrow(/^concat\(sources\[1\]\): expected an async iterable, got 5/);
    expect(() => map(5 as never)).toThrow(/^map\(fn\): expected a function of \(item, index\), got 5/);
    expect(() => s.pipe(take(1), 'take' as never)).toThrow(/^pipe\(operators\[1\]\): expected an operator/);
  });

  it('fromIterable refuses what is not iterable, naming it (a function, when its result is not, at the pass)', async () => {
    for (const bad of [5, 'abc', {}, null])
      expect(() => fromIterable(bad as never)).toThrow(/^fromIterable\(source\): expected an iterable, an async iterable or a function that makes one/);
    await expect(fromIterable((() => 7) as never).toArray()).rejects.toThrow(/^fromIterable\(source\): the function gave 7, expected an iterable/);
    expect(await fromIterable(new Set([1, 2])).toArray()).toEqual([1, 2]);
  });
});

describe('rebatch', () => {
  it('cuts and joins across batch boundaries, in order', async () => {
    const { source } = tracked([3, 5, 2, 7]);
    const out = await fromIterable(source).pipe(rebatch(4)).toArray();
    expect(out.map((b) => b.size)).toEqual([4, 4, 4, 4, 1]);
    expect(targets(out)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(out[1].x[0]).toBeCloseTo(4 / 1000);
  });

  it('can drop the remainder', async () => {
    const { source } = tracked([3, 5]);
    const out = await fromIterable(source)
      .pipe(rebatch(3, { dropRemainder: true }))
      .toArray();
    expect(out.map((b) => b.size)).toEqual([3, 3]);
  });

  it('closes the source when the consumer breaks out', async () => {
    const { state, source } = tracked([5], { endless: true });
    let seen = 0;
    for await (const b of fromIterable(source).pipe(rebatch(3))) {
      expect(b.size).toBe(3);
      if (++seen === 4) break;
    }
    expect(state.closed).toBe(true);
  });
});

describe('shuffle', () => {
  it('is a seeded permutation of the samples', async () => {
    const run = async (seed: number) =>
      targets(
        await fromIterable(tracked([10, 10, 10, 10]).source)
          .pipe(shuffle(16, { seed }))
          .toArray(),
      );
    const a = await run(1);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });

  it('keeps its buffer bounded on an endless source', async () => {
    const { state, source } = tracked([8], { endless: true });
    let n = 0;
    for await (const b of fromIterable(source).pipe(shuffle(32, { seed: 1 }))) {
      expect(b.size).toBe(8);
      if (++n === 20) break;
    }
    // 32 buffered + 8 out: the source is never read more than a few batches ahead.
    expect(state.pulled).toBeLessThanOrEqual(20 + 32 / 8 + 1);
    expect(state.closed).toBe(true);
  });
});

describe('mix', () => {
  it('takes exact per-batch counts from each source in a seeded order', async () => {
    const a = tracked([7], { endless: true });
    const b = tracked([5], { endless: true, offset: 1000 });
    const run = () => mix([a.source, b.source], [1, 3], { batchSize: 8, seed: 4 }).take(5).toArray();
    const out = await run();
    for (const batch of out) {
      expect(batch.size).toBe(8);
      expect(Array.from(batch.y).filter((v) => v < 1000).length).toBe(2);
    }
    // Each source's samples arrive in their own order, none skipped.
    const all = targets(out);
    expect(all.filter((v) => v < 1000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.filter((v) => v >= 1000)).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + i));
    expect(all).not.toEqual([...all].sort((p, q) => p - q));
    expect(targets(await run())).toEqual(all);
    expect(a.state.closed && b.state.closed).toBe(true);
  });

  it('weights may change per batch (a controller steering)', async () => {
    const syn = fromIterable(async function* () {
      for (;;) yield numbered(1000, 4);
    }, Infinity);
    const real = fromIterable(async function* () {
      for (;;) yield numbered(0, 4);
    }, Infinity);
    const out = await mix([syn, real], (k) => [k % 2, 1 - (k % 2)], { batchSize: 4 })
      .take(4)
      .toArray();
    const fromSyn = out.map((b) => Array.from(b.y).filter((v) => v >= 1000).length);
    expect(fromSyn).toEqual([0, 4, 0, 4]);
  });

  it('rejects sources that disagree on shape or target', async () => {
    const a = tracked([4], { endless: true, shape: [2] });
    const b = tracked([4], { endless: true, shape: [3] });
    await expect(mix([a.source, b.source], [1, 1], { batchSize: 4 }).toArray()).rejects.toThrow(/sources\[1\].*differ/);
  });

  it('rejects bad weights and sources that are not streams', () => {
    const a = tracked([4]);
    expect(() => mix([a.source], [0], { batchSize: 4 })).toThrow(/weights/);
    expect(() => mix([a.source], [-1], { batchSize: 4 })).toThrow(OtfgenArgumentError);
    expect(() => mix([a.source], [1, 2], { batchSize: 4 })).toThrow(/expected 1/);
    expect(() => mix([a.source, [1, 2] as never], [1, 1], { batchSize: 4 })).toThrow(
      /^mix\(sources\[1\]\): expected an async iterable of batches .*got \[1, 2\]/,
    );
  });

  it('splitCounts rounds to the exact total', () => {
    expect(splitCounts([0.3, 0.7], 64)).toEqual([19, 45]);
    expect(splitCounts([1, 1, 1], 10).reduce((a, b) => a + b)).toBe(10);
    expect(splitCounts([0, 1], 5)).toEqual([0, 5]);
  });
});

describe('prefetch', () => {
  it('keeps order and reads at most n ahead', async () => {
    const { state, source } = tracked([1], { endless: true });
    const it = fromIterable(source).pipe(prefetch(3))[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value.y[0]).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(state.pulled).toBeLessThanOrEqual(1 + 3 + 1);
    const second = await it.next();
    expect(second.value.y[0]).toBe(1);
    await it.return!();
    expect(state.closed).toBe(true);
  });

  it('delivers items before a source error, then the error', async () => {
    const { source } = tracked([1, 1, 1, 1], { failAt: 2 });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const b of fromIterable(source).pipe(prefetch(4))) seen.push(b.y[0]);
      })(),
    ).rejects.toThrow('boom at 2');
    expect(seen).toEqual([0, 1]);
  });

  it('break in for-await closes the whole chain', async () => {
    const { state, source } = tracked([4], { endless: true });
    const chain = fromIterable(source).pipe(
      prefetch(2),
      rebatch(3),
      map((b) => b),
      take(100),
    );
    let n = 0;
    for await (const _ of chain) if (++n === 5) break;
    expect(state.closed).toBe(true); // break awaits return() up the chain: no wait
  });
});

describe('Stream', () => {
  it('is a plain AsyncIterable with a size', async () => {
    const s = new Stream(async function* () {
      yield 1;
    }, 1);
    expect(s.size).toBe(1);
    expect(await s.toArray()).toEqual([1]);
  });
});
