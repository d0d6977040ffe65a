/**
 * warmupSchedule and syntheticBatches: each refusal with its whole message
 * (which option, what would be right), a stream that ends too early named
 * by which one ran out, and the blended schedule's step by step record.
 * Also the Stream methods and small operators these build on (take, shard,
 * map, fromIterable), at their edges.
 */
import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError } from '../src/core/errors.js';
import { fromIterable, Stream } from '../src/stream/stream.js';
import { resolveWarmup, syntheticBatches, warmupSchedule } from '../src/stream/warmup.js';
import { tracked, thrownBy } from './helpers.js';

const endless = (offset = 0, shape = [2]) => tracked([4], { endless: true, offset, shape }).source;

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}
const thrown = (f: () => unknown) => thrownBy(f, OtfgenArgumentError);

describe('warmupSchedule refuses bad options by name', () => {
  it('with the whole message', () => {
    const ok = { synthetic: endless(), real: endless(1000), totalSteps: 4, warmup: 0.5 };
    expect(thrown(() => warmupSchedule(undefined as never)).message).toBe('warmupSchedule(options): expected an options object');
    expect(thrown(() => warmupSchedule('fast' as never)).message).toBe('warmupSchedule(options): expected an options object');
    expect(thrown(() => warmupSchedule({ ...ok, synthetic: [1] as never })).message).toBe(
      'warmupSchedule options.synthetic: expected an async iterable of batches, e.g. generate(task) or arraySource(data), got [1]',
    );
    expect(thrown(() => warmupSchedule({ ...ok, real: undefined as never })).message).toMatch(
      /^warmupSchedule options\.real: expected an async iterable of batches/,
    );
    expect(thrown(() => warmupSchedule({ ...ok, batchSize: 0 })).message).toBe('warmupSchedule options.batchSize: expected an integer >= 1, got 0');
    expect(thrown(() => warmupSchedule({ ...ok, warmup: 1.5 })).message).toMatch(/^warmupSchedule options\.warmup: /);
    expect(thrown(() => warmupSchedule({ ...ok, warmup: 'half' as never })).message).toBe(
      'warmupSchedule options.warmup: expected a share in [0, 1] or { steps }, got "half"',
    );
    expect(thrown(() => warmupSchedule({ ...ok, warmup: null as never })).message).toBe(
      'warmupSchedule options.warmup: expected a share in [0, 1] or { steps }, got null',
    );
    expect(thrown(() => warmupSchedule({ ...ok, warmup: { steps: 5 } })).message).toBe(
      'warmupSchedule options.warmup.steps: expected an integer in [0, 4], got 5',
    );
    expect(thrown(() => warmupSchedule({ ...ok, blend: 'fade' as never })).message).toBe(
      "warmupSchedule options.blend: expected 'switch', 'linear' or 'cosine', got \"fade\"",
    );
  });

  it('resolveWarmup: a share rounds to steps, { steps } is taken as it is', () => {
    expect(resolveWarmup(0.5, 5)).toBe(3);
    expect(resolveWarmup(0.3, 10)).toBe(3);
    expect(resolveWarmup({ steps: 0 }, 10)).toBe(0);
    expect(resolveWarmup({ steps: 10 }, 10)).toBe(10);
  });
});

describe('a stream that ends before the schedule does', () => {
  const message = (name: string, got: number, want: number) =>
    `warmupSchedule options.${name}: the stream ended after ${got} batches but the schedule needs ${want}; make it endless (generate(...) is; arraySource takes epochs: Infinity)`;

  it("'switch': names the stream that ran out and how many batches it gave", async () => {
    const short = tracked([4, 4]).source;
    const e1 = await failure(warmupSchedule({ synthetic: short, real: endless(), totalSteps: 6, warmup: 0.5 }).toArray());
    expect(e1.message).toBe(message('synthetic', 2, 3));
    const e2 = await failure(warmupSchedule({ synthetic: endless(), real: tracked([4]).source, totalSteps: 6, warmup: 0.5 }).toArray());
    expect(e2.message).toBe(message('real', 1, 3));
  });

  it('a blend: names the synthetic stream when it ran out during the warm-up, the real one after', async () => {
    const e1 = await failure(
      warmupSchedule({ synthetic: tracked([2]).source, real: endless(), totalSteps: 6, warmup: 0.5, blend: 'linear', batchSize: 4 }).toArray(),
    );
    expect(e1.message).toMatch(/^warmupSchedule options\.synthetic: the stream ended after \d batches but the schedule needs 6;/);
    // The real stream ends mid-batch (5 samples), or exactly between batches (4): either way it is named.
    for (const [sizes, got] of [
      [[5], 3],
      [[4], 3],
    ] as const) {
      const real = tracked([...sizes]).source;
      const e2 = await failure(warmupSchedule({ synthetic: endless(), real, totalSteps: 6, warmup: 0.5, blend: 'linear', batchSize: 4 }).toArray());
      expect(e2.message).toBe(message('real', got, 6));
    }
    // Ended between batches mid-blend: it cannot tell which, and says so.
    const both = await failure(
      warmupSchedule({
        synthetic: tracked([4]).source,
        real: tracked([4]).source,
        totalSteps: 6,
        warmup: { steps: 4 },
        blend: 'linear',
        batchSize: 4,
      }).toArray(),
    );
    expect(both.message).toMatch(/^warmupSchedule options\.(synthetic|real|synthetic or real): the stream ended after \d batches/);
  });
});

describe('a blended schedule, step by step', () => {
  it('shares fall from 1 over the warm-up, phases switch at its end, never a task change, batches full', async () => {
    const steps = await warmupSchedule({
      synthetic: endless(),
      real: endless(1000),
      totalSteps: 6,
      warmup: { steps: 3 },
      blend: 'linear',
      batchSize: 6,
    }).toArray();
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps.map((s) => s.phase)).toEqual(['warmup', 'warmup', 'warmup', 'real', 'real', 'real']);
    expect(steps.map((s) => s.syntheticShare)).toEqual([1, 4 / 6, 2 / 6, 0, 0, 0]);
    expect(steps.every((s) => s.taskChanged === false && s.batch.size === 6)).toBe(true);
  });

  it('refuses streams of different targets when blending, naming both', async () => {
    const cls = tracked([4], { endless: true, target: { kind: 'class', classes: 3 } }).source;
    const e = await failure(warmupSchedule({ synthetic: endless(), real: cls, totalSteps: 4, warmup: 0.5, blend: 'cosine', batchSize: 4 }).toArray());
    expect(e.message).toBe(
      "warmupSchedule options.real: target class (3 classes) differs from the synthetic stream's regression (1 value); blended batches need one target kind: use blend 'switch' for a task change",
    );
  });
});

describe('syntheticBatches', () => {
  it('counts the synthetic batches a schedule takes', () => {
    expect(syntheticBatches({ totalSteps: 10, warmup: 0.4 })).toBe(4);
    // linear over 4 steps of 8: 8 + 6 + 4 + 2 = 20 synthetic samples, in batches of 8 (or of 5).
    expect(syntheticBatches({ totalSteps: 10, warmup: { steps: 4 }, blend: 'linear', batchSize: 8 })).toBe(3);
    expect(syntheticBatches({ totalSteps: 10, warmup: { steps: 4 }, blend: 'linear', batchSize: 8 }, 5)).toBe(4);
    expect(syntheticBatches({ totalSteps: 10, warmup: { steps: 4 }, blend: 'linear', batchSize: 8 }, 20)).toBe(1);
    // The default batch size is 64: 64 + 48 + 32 + 16 = 160 samples, 3 batches of 64.
    expect(syntheticBatches({ totalSteps: 10, warmup: { steps: 4 }, blend: 'linear' })).toBe(3);
  });
  it('names a bad option', () => {
    expect(thrown(() => syntheticBatches({ totalSteps: 0, warmup: 0.5 })).message).toBe('syntheticBatches options.totalSteps: expected an integer >= 1, got 0');
    expect(thrown(() => syntheticBatches({ totalSteps: 4, warmup: 0.5, blend: 'linear', batchSize: 0 })).message).toBe(
      'syntheticBatches options.batchSize: expected an integer >= 1, got 0',
    );
    expect(thrown(() => syntheticBatches({ totalSteps: 4, warmup: 0.5, blend: 'linear' }, 0)).message).toBe(
      'syntheticBatches syntheticBatchSize: expected an integer >= 1, got 0',
    );
    expect(thrown(() => syntheticBatches({ totalSteps: 4, warmup: 0.5, blend: 'x' as never })).message).toMatch(/^syntheticBatches options\.blend: /);
  });
});

describe('Stream methods and small operators at their edges', () => {
  const numbers = (n: number, size: number | null = n) =>
    new Stream<number>(async function* () {
      for (let i = 0; i < n; i++) yield i;
    }, size);

  it('the chaining methods are the operators', async () => {
    const s = tracked([2, 3, 1, 4]);
    const batches = await fromIterable(s.source).rebatch(3).shuffle(4, { seed: 1 }).prefetch(2).toArray();
    expect(batches.reduce((a, b) => a + b.size, 0)).toBe(10);
    expect(await numbers(7).shard(1, 3).toArray()).toEqual([1, 4]);
    expect(numbers(7).shard(1, 3).size).toBe(2);
    expect(numbers(7).shard(6, 3 + 4).size).toBe(1);
    expect(numbers(2).shard(5, 7).size).toBe(0);
    expect(numbers(2, null).shard(0, 2).size).toBe(null);
    expect(numbers(2, Infinity).shard(0, 2).size).toBe(Infinity);
    expect(thrown(() => numbers(2).shard(0, 0)).message).toBe('shard(count): expected an integer >= 1, got 0');
  });

  it('take: 0 reads nothing, a size is the smaller of the two, unknown stays unknown', async () => {
    const s = tracked([1], { endless: true });
    expect(await fromIterable(s.source).take(0).toArray()).toEqual([]);
    expect(s.state.pulled).toBe(0);
    expect(numbers(3).take(5).size).toBe(3);
    expect(numbers(9).take(5).size).toBe(5);
    expect(numbers(9, null).take(5).size).toBe(null);
    expect(thrown(() => numbers(3).take(-1)).message).toBe('take(n): expected an integer >= 0, got -1');
  });

  it('map passes each item its index', async () => {
    expect(
      await numbers(4)
        .map((v, i) => v * 10 + i)
        .toArray(),
    ).toEqual([0, 11, 22, 33]);
  });

  it('fromIterable: a Stream as it is, a sync iterable closed when left', async () => {
    const s = numbers(2);
    expect(fromIterable(s)).toBe(s);
    let closed = false;
    const sync: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => ({ done: false, value: 1 }),
        return: () => ((closed = true), { done: true, value: undefined }),
      }),
    };
    expect(await fromIterable(sync).take(2).toArray()).toEqual([1, 1]);
    expect(closed).toBe(true);
  });
});
