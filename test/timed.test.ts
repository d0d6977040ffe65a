import { afterEach, describe, expect, it, vi } from 'vitest';
import { OtfgenArgumentError, fromIterable, generate, pixelCount, timed, type Batch } from '../src/index.js';

/** A clock the test moves: the source and the consumer advance it, so every figure is exact. */
let clock = 0;
afterEach(() => vi.restoreAllMocks());
const fakeClock = () => {
  clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
};

/** A source whose every item costs `ms` of the consumer's waiting. */
async function* slow<T>(items: readonly T[], ms: number | ((i: number) => number)): AsyncGenerator<T> {
  for (const [i, item] of items.entries()) {
    await Promise.resolve();
    clock += typeof ms === 'number' ? ms : ms(i);
    yield item;
  }
}

describe('timed', () => {
  it('passes the items and size through unchanged', async () => {
    const source = generate(pixelCount, { seed: 1, batchSize: 4 }).take(3);
    const plain = await source.toArray();
    const t = timed(source);
    expect(t.size).toBe(3);
    const seen = await t.toArray();
    expect(seen.map((b) => Array.from(b.x))).toEqual(plain.map((b) => Array.from(b.x)));
  });

  it('splits the loop into waiting for data and working on it, exactly', async () => {
    fakeClock();
    const batches = Array.from({ length: 4 }, () => ({ size: 64 }) as Batch);
    const t = timed(fromIterable(slow(batches, 5)));
    for await (const _ of t) clock += 15; // a training step of 15 ms
    const r = t.report();
    expect(r).toMatchObject({ items: 4, samples: 256, waitMs: 20, workMs: 60, dataWaitShare: 0.25 });
    expect(r.samplesPerSecond).toBe((256 * 1000) / 80);
    expect(r.sourceSamplesPerSecond).toBe((256 * 1000) / 20);
  });

  it('gives wait percentiles over the most recent window of items', async () => {
    fakeClock();
    const items = Array.from({ length: 100 }, (_, i) => i);
    const all = timed(fromIterable(slow(items, (i) => i + 1))); // waits 1, 2, ..., 100 ms
    for await (const _ of all);
    expect(all.report().latencyMs).toEqual({ p50: 51, p90: 91, p99: 100, max: 100 });
    expect(all.report().samples).toBe(100); // items without a size count one each
    const recent = timed(fromIterable(slow(items, (i) => i + 1)), { window: 10 }); // keeps waits 91..100
    for await (const _ of recent);
    expect(recent.report().latencyMs).toEqual({ p50: 96, p90: 100, p99: 100, max: 100 });
    expect(recent.report().waitMs).toBe(5050); // the totals count every item
  });

  it('reports zeros before the first item', () => {
    const r = timed(fromIterable([1, 2])).report();
    expect(r).toMatchObject({ items: 0, samples: 0, dataWaitShare: 0, samplesPerSecond: 0, latencyMs: { p50: 0, p99: 0, max: 0 } });
  });

  it('closes its source when the loop breaks', async () => {
    let closed = false;
    const source = (async function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    })();
    for await (const i of timed(fromIterable(source))) if (i === 2) break;
    expect(closed).toBe(true);
  });

  it('refuses what is not a stream, and a bad window, naming the argument', () => {
    expect(() => timed(42 as never)).toThrow(OtfgenArgumentError);
    expect(() => timed(42 as never)).toThrow(/timed\(source\)/);
    expect(() => timed(fromIterable([1]), { window: 0 })).toThrow(/timed options\.window/);
  });
});
