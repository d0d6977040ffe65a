/**
 * shuffle, mix, rebatch and prefetch checked sample by sample. Every sample
 * carries its identity (x = [id, id + 0.5], y = id), so a sample copied from
 * the wrong place, torn between x and y, lost or doubled shows; sources log
 * each pull and close, so when an operator reads and when it stops are
 * checked too.
 */
import { describe, expect, it } from 'vitest';
import { allocBatch, type Batch, type TargetSpec } from '../src/core/batch.js';
import { OtfgenArgumentError } from '../src/core/errors.js';
import { mix, mixCounted, splitCounts } from '../src/stream/mix.js';
import { prefetch } from '../src/stream/prefetch.js';
import { rebatch } from '../src/stream/rebatch.js';
import { shuffle } from '../src/stream/shuffle.js';
import { Stream } from '../src/stream/stream.js';
import { thrownBy } from './helpers.js';

const target: TargetSpec = { kind: 'regression', size: 1 };

/** A batch of samples `first`, `first + 1`, ...; x = [id, id + 0.5], y = id. */
function idBatch(first: number, size: number, sampleShape: readonly number[] = [2]): Batch {
  const b = allocBatch(size, sampleShape, target);
  for (let i = 0; i < size; i++) {
    b.x[i * 2] = first + i;
    b.x[i * 2 + 1] = first + i + 0.5;
    b.y[i] = first + i;
  }
  return b;
}

/** A stream of batches of these sizes (ids from `first` on, endless with `endless`) and the log of its pulls and closes. */
function idSource(sizes: number[], options: { first?: number; endless?: boolean; shapes?: (readonly number[])[] } = {}) {
  const log = { pulls: 0, returns: 0 };
  const stream = new Stream<Batch>(
    () => {
      let k = 0;
      let id = options.first ?? 0;
      return {
        async next() {
          if (!options.endless && k >= sizes.length) return { done: true, value: undefined };
          log.pulls++;
          const size = sizes[k % sizes.length];
          const b = idBatch(id, size, options.shapes?.[k] ?? [2]);
          k++;
          id += size;
          return { done: false, value: b };
        },
        async return() {
          log.returns++;
          return { done: true, value: undefined };
        },
      };
    },
    options.endless ? Infinity : sizes.length,
  );
  return { stream, log };
}

/** Each sample's id, checking that its x and y agree. */
function idsOf(b: Batch): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.size; i++) {
    expect([b.x[i * 2], b.x[i * 2 + 1]]).toEqual([b.y[i], b.y[i] + 0.5]);
    out.push(b.y[i]);
  }
  expect(b.x.length).toBe(b.size * 2);
  expect(b.y.length).toBe(b.size);
  return out;
}

const message = (f: () => unknown) => thrownBy(f, OtfgenArgumentError).message;

describe('shuffle', () => {
  it('emits every sample once, whole, in batches of the first batch size but for the last', async () => {
    for (const sizes of [[3, 3, 3, 3], [1, 7, 3, 10, 2], [5]]) {
      const total = sizes.reduce((a, b) => a + b, 0);
      const out = await idSource(sizes)
        .stream.pipe(shuffle(4, { seed: 3 }))
        .toArray();
      const ids = out.flatMap(idsOf);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
      const o = sizes[0];
      const want = [...Array(Math.floor(total / o)).fill(o), ...(total % o ? [total % o] : [])];
      expect(out.map((b) => b.size)).toEqual(want);
    }
  });

  it('batchSize sets the output size, whatever the input sizes', async () => {
    const out = await idSource([1, 7, 3, 10, 2])
      .stream.pipe(shuffle(5, { seed: 1, batchSize: 4 }))
      .toArray();
    expect(out.map((b) => b.size)).toEqual([4, 4, 4, 4, 4, 3]);
    expect(new Set(out.flatMap(idsOf)).size).toBe(23);
  });

  it('reads only until bufferSize + batchSize samples wait, then one batch out per batch in', async () => {
    const { stream, log } = idSource([2], { endless: true });
    const it = stream.pipe(shuffle(4, { seed: 1 }))[Symbol.asyncIterator]();
    await it.next();
    expect(log.pulls).toBe(3); // 6 samples = 4 + 2
    await it.next();
    expect(log.pulls).toBe(4);
    await it.return!();
    expect(log.returns).toBe(1);
  });

  it('draws from the whole buffer: the first batch out is not the first batch in, and a seed gives one order', async () => {
    const run = async (seed: number) => (await idSource([2, 2, 2, 2, 2, 2]).stream.pipe(shuffle(8, { seed })).toArray()).flatMap(idsOf);
    const a = await run(1);
    expect(a).toEqual(await run(1));
    expect(a).not.toEqual(await run(2));
    expect(a).not.toEqual(Array.from({ length: 12 }, (_, i) => i));
    // Same seed, same order, across versions: this order is part of what a seed means.
    expect(a).toEqual([7, 2, 8, 0, 1, 5, 6, 3, 11, 10, 9, 4]);
  });

  it('keeps an endless source endless; any other size becomes unknown', () => {
    expect(idSource([2], { endless: true }).stream.pipe(shuffle(4)).size).toBe(Infinity);
    expect(idSource([2, 2]).stream.pipe(shuffle(4)).size).toBe(null);
  });

  it('names a bad argument', () => {
    expect(message(() => shuffle(0))).toBe('shuffle(bufferSize): expected an integer >= 1, got 0');
    expect(message(() => shuffle(4, { batchSize: 0 }))).toBe('shuffle options.batchSize: expected an integer >= 1, got 0');
    expect(message(() => shuffle(4, { size: 2 } as never))).toMatch(/^shuffle options\.size: no such option; the options are: seed, batchSize$/);
  });
});

describe('mix', () => {
  it('takes each batch by the split of the weights, each source in its own order, the order within a batch drawn', async () => {
    const a = idSource([5], { endless: true });
    const b = idSource([3], { endless: true, first: 1000 });
    const out = await mixCounted([a.stream, b.stream], [1, 3], { batchSize: 8, seed: 2 }).take(3).toArray();
    const fromA: number[] = [];
    const fromB: number[] = [];
    for (const m of out) {
      expect(m.counts).toEqual([2, 6]);
      const ids = idsOf(m.batch);
      fromA.push(...ids.filter((i) => i < 1000));
      fromB.push(...ids.filter((i) => i >= 1000));
    }
    expect(fromA).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fromB).toEqual(Array.from({ length: 18 }, (_, i) => 1000 + i));
    // Drawn, and pinned: a seed's order is part of what the seed means.
    expect(idsOf(out[0].batch)).toEqual([1000, 1001, 1002, 1003, 0, 1, 1004, 1005]);
  });

  it('weights may change per batch', async () => {
    const a = idSource([4], { endless: true });
    const b = idSource([4], { endless: true, first: 1000 });
    const out = await mixCounted([a.stream, b.stream], (k) => (k % 2 ? [0, 1] : [1, 0]), { batchSize: 4, seed: 1 })
      .take(3)
      .toArray();
    expect(out.map((m) => m.counts)).toEqual([
      [4, 0],
      [0, 4],
      [4, 0],
    ]);
    expect(out.map((m) => idsOf(m.batch))).toEqual([
      [0, 1, 2, 3],
      [1000, 1001, 1002, 1003],
      [4, 5, 6, 7],
    ]);
  });

  it('ends with a short batch, cut to its samples, when a source it needs ends; every source is closed', async () => {
    const a = idSource([3, 2]);
    const b = idSource([4], { endless: true, first: 1000 });
    const out = await mix([a.stream, b.stream], [1, 1], { batchSize: 4, seed: 5 }).toArray();
    const sizes = out.map((x) => x.size);
    expect(sizes.slice(0, -1).every((s) => s === 4)).toBe(true);
    expect(sizes.at(-1)).toBeLessThan(4);
    expect(sizes.at(-1)).toBeGreaterThan(0);
    const ids = out.flatMap(idsOf);
    expect(ids.filter((i) => i < 1000)).toEqual([0, 1, 2, 3, 4]);
    expect(a.log.returns + b.log.returns).toBe(2);
    // A source that ends before any sample: nothing at all.
    const empty = idSource([]);
    expect(await mix([empty.stream], [1], { batchSize: 4 }).toArray()).toEqual([]);
  });

  it('closes sources without a return() as well as those with one', async () => {
    const bare: AsyncIterable<Batch> = {
      [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: idBatch(0, 2) }) }),
    };
    const out = await mix([bare], [1], { batchSize: 2 }).take(2).toArray();
    expect(out.map((b) => b.size)).toEqual([2, 2]);
  });

  it('refuses sources whose samples differ, naming the source and both shapes', async () => {
    const a = idSource([2], { endless: true });
    const b = idSource([2], { endless: true, first: 1000, shapes: [[1, 2]] });
    await expect(mix([a.stream, b.stream], [1, 1], { batchSize: 4, seed: 1 }).toArray()).rejects.toThrow(
      'mix(sources[1]): sample shape [1, 2] and regression (1 value) differ from [2] and regression (1 value); all sources must match',
    );
  });

  it('is endless only when every source is', () => {
    const endless = () => idSource([2], { endless: true }).stream;
    expect(mix([endless(), endless()], [1, 1], { batchSize: 2 }).size).toBe(Infinity);
    expect(mix([endless(), idSource([2]).stream], [1, 1], { batchSize: 2 }).size).toBe(null);
  });

  it('names a bad argument', () => {
    const s = idSource([2]).stream;
    expect(message(() => mix([], [], { batchSize: 2 }))).toBe('mix(sources): expected a non-empty array of batch streams');
    expect(message(() => mix(s as never, [1], { batchSize: 2 }))).toBe('mix(sources): expected a non-empty array of batch streams');
    expect(message(() => mix([s], [1], undefined as never))).toBe('mix options.batchSize: expected an integer >= 1, got undefined');
    expect(message(() => mix([s], [1], {} as never))).toBe('mix options.batchSize: expected an integer >= 1, got undefined');
    const weights = 'mix(weights): expected 2 finite non-negative numbers, not all zero; got';
    expect(message(() => mix([s, s], [1], { batchSize: 2 }))).toBe(`${weights} [1]`);
    expect(message(() => mix([s, s], [1, -1], { batchSize: 2 }))).toBe(`${weights} [1, -1]`);
    expect(message(() => mix([s, s], [1, NaN], { batchSize: 2 }))).toBe(`${weights} [1, NaN]`);
    expect(message(() => mix([s, s], [1, Infinity], { batchSize: 2 }))).toBe(`${weights} [1, Infinity]`);
    expect(message(() => mix([s, s], [0, 0], { batchSize: 2 }))).toBe(`${weights} [0, 0]`);
    expect(message(() => mix([s, s], [1, '1'] as never, { batchSize: 2 }))).toBe(`${weights} [1, "1"]`);
    expect(message(() => mix([s, s], 'even' as never, { batchSize: 2 }))).toBe(`${weights} "even"`);
    expect(() => mix([s, s], [0, 1], { batchSize: 2 })).not.toThrow();
  });
});

describe('splitCounts', () => {
  it('splits by largest remainder, ties to the lower index', () => {
    expect(splitCounts([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(splitCounts([1, 1, 1], 11)).toEqual([4, 4, 3]);
    expect(splitCounts([0.5, 0.25, 0.25], 3)).toEqual([1, 1, 1]);
    expect(splitCounts([1, 3], 8)).toEqual([2, 6]);
    expect(splitCounts([1, 2, 2], 4)).toEqual([1, 2, 1]);
    expect(splitCounts([2, 1, 1, 1], 7)).toEqual([3, 2, 1, 1]);
    expect(splitCounts([0, 1], 5)).toEqual([0, 5]);
  });
});

describe('rebatch', () => {
  it('regroups samples in order into batches of the size, the remainder last (or dropped)', async () => {
    const out = await idSource([3, 5, 2, 4]).stream.pipe(rebatch(4)).toArray();
    expect(out.map((b) => b.size)).toEqual([4, 4, 4, 2]);
    expect(out.flatMap(idsOf)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    const dropped = await idSource([3, 5, 2, 4])
      .stream.pipe(rebatch(4, { dropRemainder: true }))
      .toArray();
    expect(dropped.map((b) => b.size)).toEqual([4, 4, 4]);
    const even = await idSource([2, 6]).stream.pipe(rebatch(4)).toArray();
    expect(even.map((b) => b.size)).toEqual([4, 4]);
  });

  it('passes a batch of the size on as it is when nothing is pending, and copies otherwise', async () => {
    const b4 = idBatch(0, 4);
    const b2 = idBatch(4, 2);
    const source = new Stream<Batch>(async function* () {
      yield b4;
      yield b2;
      yield idBatch(6, 4);
    });
    const out = await source.pipe(rebatch(4)).toArray();
    expect(out[0]).toBe(b4);
    expect(out[1]).not.toBe(b2);
    expect(out.flatMap(idsOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses a source whose sample shape changes while samples are pending', async () => {
    const source = idSource([3, 3], { shapes: [[2], [1, 2]] }).stream;
    await expect(source.pipe(rebatch(4)).toArray()).rejects.toThrow('rebatch source: batches changed sample shape or target spec mid-stream');
  });

  it('keeps an endless source endless; any other size becomes unknown; names a bad size', () => {
    expect(idSource([2], { endless: true }).stream.pipe(rebatch(4)).size).toBe(Infinity);
    expect(idSource([2, 2]).stream.pipe(rebatch(4)).size).toBe(null);
    expect(message(() => rebatch(0))).toBe('rebatch(size): expected an integer >= 1, got 0');
  });
});

/** A source of 0, 1, 2, ... whose pulls resolve when the test says; it logs pulls in flight and closes. */
function gatedSource(count: number | null, options: { noReturn?: boolean } = {}) {
  const log = { pulls: 0, inFlight: 0, maxInFlight: 0, returns: 0, returnedInFlight: false };
  const gates: (() => void)[] = [];
  const iterator: AsyncIterator<number> = {
    next() {
      const k = log.pulls++;
      log.inFlight++;
      log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      return new Promise((resolve) =>
        gates.push(() => {
          log.inFlight--;
          resolve(count !== null && k >= count ? { done: true, value: undefined } : { done: false, value: k });
        }),
      );
    },
  };
  if (!options.noReturn) {
    iterator.return = async () => {
      log.returns++;
      if (log.inFlight > 0) log.returnedInFlight = true;
      return { done: true, value: undefined };
    };
  }
  const open = () => gates.splice(0).forEach((g) => g());
  return { stream: new Stream<number>(() => iterator, count), log, open };
}

const turn = () => new Promise((r) => setImmediate(r));
/** Opens every pull until the source settles. */
async function drain(open: () => void) {
  for (let i = 0; i < 20; i++) {
    open();
    await turn();
  }
}

describe('prefetch', () => {
  it('holds up to n items ahead, one pull in flight at a time', async () => {
    const { stream, log, open } = gatedSource(null);
    const it = stream.pipe(prefetch(3))[Symbol.asyncIterator]();
    const first = it.next();
    await drain(open);
    expect(await first).toEqual({ done: false, value: 0 });
    await drain(open);
    expect(log.pulls).toBe(4); // the one handed out, and 3 held
    expect(log.maxInFlight).toBe(1);
    const second = await it.next();
    expect(second).toEqual({ done: false, value: 1 });
    await drain(open);
    expect(log.pulls).toBe(5);
    await it.return!();
  });

  it('gives every item in order, then stays done without pulling again', async () => {
    const { stream, log, open } = gatedSource(5);
    const it = stream.pipe(prefetch(2))[Symbol.asyncIterator]();
    const got: unknown[] = [];
    for (;;) {
      const r = it.next();
      await drain(open);
      const v = await r;
      if (v.done) break;
      got.push(v.value);
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    const pulls = log.pulls;
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(log.pulls).toBe(pulls);
    // An ended source is not closed again.
    await it.return!();
    expect(log.returns).toBe(0);
  });

  it('return() waits for the pull in flight, then closes the source once; next() is then done', async () => {
    const { stream, log, open } = gatedSource(null);
    const it = stream.pipe(prefetch(2))[Symbol.asyncIterator]();
    const first = it.next();
    open();
    await first;
    // A pull is in flight now: return must wait for it.
    expect(log.inFlight).toBe(1);
    const closing = it.return!();
    await turn();
    expect(log.returns).toBe(0);
    open();
    expect(await closing).toEqual({ done: true, value: undefined });
    expect(log.returns).toBe(1);
    expect(log.returnedInFlight).toBe(false);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    await it.return!();
    expect(log.returns).toBe(1);
  });

  it('closes a source without return() too', async () => {
    const { stream, open } = gatedSource(null, { noReturn: true });
    const it = stream.pipe(prefetch(1))[Symbol.asyncIterator]();
    const first = it.next();
    await drain(open);
    await first;
    const closing = it.return!();
    await drain(open);
    expect(await closing).toEqual({ done: true, value: undefined });
  });

  it('a source error arrives after the items before it, once; the stream is then done', async () => {
    const source = new Stream<number>(async function* () {
      yield 1;
      yield 2;
      throw new Error('source broke');
    });
    const it = source.pipe(prefetch(4))[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: 1 });
    expect(await it.next()).toEqual({ done: false, value: 2 });
    await expect(it.next()).rejects.toThrow('source broke');
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('keeps the size of its source; names a bad n', () => {
    expect(gatedSource(7).stream.pipe(prefetch(2)).size).toBe(7);
    expect(message(() => prefetch(0))).toBe('prefetch(n): expected an integer >= 1, got 0');
  });
});
