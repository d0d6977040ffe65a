/**
 * The worker pool's two sides in one thread: `pooledStream` drives workers
 * that are `serveGeneration` loops reached through structuredClone with
 * transfer (what postMessage does between threads, so moved buffers are
 * detached here too) and a macrotask of delay. Every message and call is
 * logged, so the plan (which batches go where, when workers are held, when
 * they stop) is checked here, where the real threads (test/parallel.test.ts)
 * can only show the bytes.
 */
import { describe, expect, it } from 'vitest';
import type { Batch } from '../src/core/batch.js';
import { OtfgenTaskError } from '../src/core/errors.js';
import { defineTask, generate, type TaskDefinition } from '../src/index.js';
import type { GenerateOptions } from '../src/tasks/generate.js';
import { messagePlan, poolPlan, pooledStream, serveGeneration, type FromWorker, type PoolEvents, type ToWorker } from '../src/tasks/worker-pool.js';

/** Each sample: its batch's param `v` plus a draw; batch `fail`'s render throws (a non-Error when `fail` is negative). */
const probeDefinition = {
  name: 'probe',
  sampleShape: [3],
  target: { kind: 'regression', size: 2 },
  params: { v: { min: 0, max: 100, default: 0 }, fail: { min: 0, max: 1, default: 0 }, odd: { min: 0, max: 1, default: 0 } },
  render(rng, p, out, offset, _label, y, yOffset) {
    if (p.fail === 1) throw new Error('render refused');
    if (p.odd === 1) throw 'a string, not an Error';
    for (let i = 0; i < 3; i++) out[offset + i] = rng.next();
    y[yOffset] = p.v as number;
    y[yOffset + 1] = rng.next();
  },
} satisfies TaskDefinition<any>;
const probe = defineTask(probeDefinition);
const origin = { module: 'memory', export: 'probe' };

interface Log {
  /** What happened, in order: 'post 0 init', 'post 1 render 4+2 into 1', 'hold 0 true', 'terminate 1', 'reply 0 batch 4+2'... */
  events: string[];
  /** Each worker's event handlers, to fire errors and exits at will. */
  handlers: PoolEvents[];
  /** The render messages, as the workers received them. */
  renders: Extract<ToWorker, { type: 'render' }>[];
}

/** A pool of `serveGeneration` loops in this thread, and the log of what passed. */
function memoryPool(load: (module: string) => Promise<Record<string, unknown>> = async () => ({ probe })) {
  const log: Log = { events: [], handlers: [], renders: [] };
  const start = (i: number, events: PoolEvents) => {
    log.handlers[i] = events;
    let alive = true;
    const serve = serveGeneration((m: FromWorker, transfer) => {
      const moved = structuredClone(m, { transfer });
      log.events.push(m.type === 'batch' ? `reply ${i} batch ${m.index}+${m.batches.length}` : `reply ${i} ${m.type}`);
      setImmediate(() => alive && events.message(moved));
    }, load);
    return {
      post(m: ToWorker, transfer: ArrayBuffer[]) {
        const moved = structuredClone(m, { transfer });
        if (moved.type === 'render') log.renders.push(moved);
        log.events.push(m.type === 'render' ? `post ${i} render ${m.index}+${m.params.length} into ${m.into.length}` : `post ${i} ${m.type}`);
        setImmediate(() => alive && serve(moved));
      },
      terminate: async () => {
        alive = false;
        log.events.push(`terminate ${i}`);
      },
      hold: (held: boolean) => log.events.push(`hold ${i} ${held}`),
    };
  };
  return { log, start };
}

function pooled(
  options: GenerateOptions<typeof probe.params>,
  pool: { workers: number; prefetch: number; perMessage: number },
  load?: (module: string) => Promise<Record<string, unknown>>,
) {
  const { log, start } = memoryPool(load);
  const here = generate(probe, options);
  const plan = poolPlan(options, { ...pool, origin, batchSize: options.batchSize ?? 64, size: here.size });
  return { stream: pooledStream(probe, plan, start), log, here };
}

const bytes = (b: Batch) => [Array.from(b.x), Array.from(b.y)];

describe('pooledStream over serveGeneration', () => {
  const cases = [
    { workers: 1, prefetch: 1, perMessage: 1 },
    { workers: 2, prefetch: 4, perMessage: 2 },
    { workers: 3, prefetch: 6, perMessage: 3 },
  ];
  it.each(cases)('gives the bytes of one thread, in order: %o', async (pool) => {
    const options = { seed: 5, batchSize: 4, startBatch: 3, batches: 10, params: (k: number) => ({ v: k }) };
    const { stream, log, here } = pooled(options, pool);
    const got = await stream.toArray();
    const want = await here.toArray();
    expect(got.map(bytes)).toEqual(want.map(bytes));
    expect(got.map((b) => b.y[0])).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const b of got) expect([b.size, b.sampleShape, b.target]).toEqual([4, probe.sampleShape, probe.target]);
    // Each worker was told the task once, first; every worker stopped at the end.
    for (let i = 0; i < pool.workers; i++) {
      expect(log.events.filter((e) => e.startsWith(`post ${i} `))[0]).toBe(`post ${i} init`);
      expect(log.events).toContain(`terminate ${i}`);
    }
    // Every batch asked for exactly once, in whole messages but for the last ones.
    const asked = log.renders.flatMap((m) => m.params.map((_, j) => m.index + j));
    expect(asked).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const m of log.renders.slice(0, -1)) expect(m.params.length).toBe(pool.perMessage);
    expect(log.renders.map((m) => m.seed)).toEqual(log.renders.map(() => 5));
    expect(log.renders.map((m) => m.batchSize)).toEqual(log.renders.map(() => 4));
  });

  it('runs at most prefetch batches a worker ahead of the consumer, messages round-robin', async () => {
    const { stream, log } = pooled({ seed: 1, batchSize: 2 }, { workers: 2, prefetch: 4, perMessage: 2 });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect(log.events.filter((e) => e.includes(' render '))).toEqual([
      'post 0 render 0+2 into 0',
      'post 1 render 2+2 into 0',
      'post 0 render 4+2 into 0',
      'post 1 render 6+2 into 0',
    ]);
    await it.next();
    await it.next();
    // Two batches taken: the window moved by one whole message.
    expect(log.events.filter((e) => e.includes(' render ')).slice(4)).toEqual(['post 0 render 8+2 into 2']);
    await it.return!();
  });

  it('hands out copies and draws the next batches over the arrays it returned to the workers', async () => {
    const { stream, log } = pooled({ seed: 2, batchSize: 3, batches: 6 }, { workers: 1, prefetch: 2, perMessage: 1 });
    const got = await stream.toArray();
    expect(got).toHaveLength(6);
    // Later renders carry arrays back; the consumer's copies stay whole.
    expect(log.renders.slice(2).every((m) => m.into.length === 1)).toBe(true);
    for (const b of got) expect(b.x.length).toBe(9);
    expect(got.map(bytes)).toEqual((await generate(probe, { seed: 2, batchSize: 3, batches: 6 }).toArray()).map(bytes));
  });

  it('with recycle, lends the batch and takes its arrays back (detached) on the next call', async () => {
    const { stream, log } = pooled({ seed: 2, batchSize: 3, batches: 5, recycle: true }, { workers: 1, prefetch: 1, perMessage: 1 });
    const it = stream[Symbol.asyncIterator]();
    const first = (await it.next()).value as Batch;
    const firstBytes = bytes(first);
    expect(first.x.length).toBe(9);
    const second = (await it.next()).value as Batch;
    expect(first.x.length).toBe(0); // moved to a worker
    expect(log.renders.some((m) => m.into.length === 1)).toBe(true);
    expect(firstBytes).toEqual(bytes((await generate(probe, { seed: 2, batchSize: 3 }).take(1).toArray())[0]));
    expect(second.x.length).toBe(9);
    await it.return!();
  });

  it('holds the workers only while the consumer waits, and holds them while they stop', async () => {
    const { stream, log } = pooled({ seed: 1, batchSize: 2, batches: 2 }, { workers: 2, prefetch: 1, perMessage: 1 });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    const held = log.events.filter((e) => e.startsWith('hold'));
    expect(held).toEqual(['hold 0 true', 'hold 1 true', 'hold 0 false', 'hold 1 false']);
    await it.next();
    expect(await it.next()).toEqual({ done: true, value: undefined });
    const end = log.events.slice(log.events.lastIndexOf('hold 1 false') + 1);
    expect(end).toEqual(['hold 0 true', 'hold 1 true', 'terminate 0', 'terminate 1']);
    // Ended: stays ended, starts nothing.
    const before = log.events.length;
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(log.events.length).toBe(before);
  });

  it('return() stops every worker and ends the stream', async () => {
    const { stream, log } = pooled({ seed: 1, batchSize: 2 }, { workers: 2, prefetch: 2, perMessage: 1 });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect(await it.return!()).toEqual({ done: true, value: undefined });
    expect(log.events.filter((e) => e.startsWith('terminate'))).toEqual(['terminate 0', 'terminate 1']);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    // A worker's exit after the consumer stopped it is no failure.
    log.handlers[0].exit(1);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('a render that throws: the batches before it arrive in order, then its error names the batch', async () => {
    const options = { seed: 3, batchSize: 2, batches: 8, params: (k: number) => ({ v: k, fail: k === 5 ? 1 : 0 }) };
    const { stream, log } = pooled(options, { workers: 2, prefetch: 4, perMessage: 2 });
    const it = stream[Symbol.asyncIterator]();
    for (let k = 0; k < 5; k++) expect(((await it.next()).value as Batch).y[0]).toBe(k);
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect((err as Error).message).toBe("task 'probe' failed on batch 5: render refused");
    expect(log.events).toContain('reply 0 batch 4+1');
    expect(log.events).toContain('reply 0 error');
    expect(log.events.filter((e) => e.startsWith('terminate'))).toEqual(['terminate 0', 'terminate 1']);
    // Nothing is asked past the failed batch.
    const asked = log.renders.flatMap((m) => m.params.map((_, j) => m.index + j));
    expect(Math.max(...asked)).toBeLessThan(8);
  });

  it('a render that throws something other than an Error: its text reaches the consumer', async () => {
    const options = { seed: 3, batchSize: 2, batches: 3, params: (k: number) => ({ odd: k === 0 ? 1 : 0 }) };
    const { stream } = pooled(options, { workers: 1, prefetch: 1, perMessage: 1 });
    await expect(stream.toArray()).rejects.toThrow("task 'probe' failed on batch 0: a string, not an Error");
  });

  it('a task the worker cannot rebuild fails the stream with the reason, and stops the workers', async () => {
    const { stream, log } = pooled({ seed: 1, batchSize: 2, batches: 4 }, { workers: 2, prefetch: 1, perMessage: 1 }, async () => ({}));
    const err = await stream.toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect((err as Error).message).toBe(
      "task 'probe' failed on batch 0: cannot rebuild the task in a worker: 'probe' of memory is not a task made by defineTask",
    );
    expect(log.events.filter((e) => e.startsWith('terminate'))).toEqual(['terminate 0', 'terminate 1']);
    // The worker whose init failed ignores the renders behind it.
    expect(log.events.filter((e) => e.startsWith('reply 0'))).toEqual(['reply 0 error']);
  });

  it("a worker's error event or unexpected exit fails the stream, naming the batch it was waiting for", async () => {
    for (const [fire, message] of [
      [(h: PoolEvents) => h.error(new Error('out of memory')), "task 'probe' failed on batch 2: out of memory"],
      [(h: PoolEvents) => h.exit(3), "task 'probe' failed on batch 2: worker 1 exited unexpectedly (code 3)"],
    ] as const) {
      const { stream, log } = pooled({ seed: 1, batchSize: 2 }, { workers: 2, prefetch: 2, perMessage: 1 });
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      await it.next();
      fire(log.handlers[1]);
      const err = await it.next().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OtfgenTaskError);
      expect((err as Error).message).toBe(message);
      expect(log.events.filter((e) => e.startsWith('terminate'))).toEqual(['terminate 0', 'terminate 1']);
      // A failed stream keeps failing; it does not restart workers.
      await expect(it.next()).rejects.toThrow(message);
      expect(log.events.filter((e) => e.endsWith(' init'))).toHaveLength(2);
    }
  });
});

describe('serveGeneration alone', () => {
  const replies = () => {
    const got: FromWorker[] = [];
    return { got, post: (m: FromWorker) => got.push(m) };
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const render = (index: number, params: Record<string, unknown>[], into: ToWorker extends infer M ? (M extends { into: infer I } ? I : never) : never = []) =>
    ({ type: 'render', index, seed: 9, batchSize: 2, params, into }) as ToWorker;

  it('waits for init before the renders sent right behind it, and answers each message once', async () => {
    const { got, post } = replies();
    const serve = serveGeneration(post, async (m) => {
      await settle();
      return m === 'memory' ? { probe } : {};
    });
    serve({ type: 'init', origin, name: 'probe' });
    serve(render(4, [{ v: 1 }, { v: 2 }]));
    serve(render(6, [{ v: 3 }]));
    await settle();
    await settle();
    await settle();
    expect(got.map((m) => m.type)).toEqual(['ready', 'batch', 'batch']);
    expect(got[0]).toEqual({ type: 'ready', name: 'probe' });
    const [, a, b] = got as Extract<FromWorker, { type: 'batch' }>[];
    expect([a.index, a.batches.length, b.index, b.batches.length]).toEqual([4, 2, 6, 1]);
    const want = await generate(probe, { seed: 9, batchSize: 2, startBatch: 4, batches: 3, params: (k: number) => ({ v: k - 3 }) }).toArray();
    expect([...a.batches, ...b.batches].map((x) => [Array.from(x.x), Array.from(x.y)])).toEqual(want.map(bytes));
  });

  it('draws over the arrays it is given', async () => {
    const { got, post } = replies();
    const serve = serveGeneration(post, async () => ({ probe }));
    serve({ type: 'init', origin, name: 'probe' });
    const into = [{ x: new Float32Array(6), y: new Float32Array(4) }];
    serve(render(0, [{ v: 7 }], into));
    await settle();
    await settle();
    const reply = got[1] as Extract<FromWorker, { type: 'batch' }>;
    expect(reply.batches[0].x).toBe(into[0].x);
    expect(reply.batches[0].y[0]).toBe(7);
  });

  it('init by a name (export "*") and a factory with args', async () => {
    const factory = (v: number) => defineTask({ ...probeDefinition, name: `probe-${v}` });
    const { got, post } = replies();
    const serve = serveGeneration(post, async () => ({ factory, probe }));
    serve({ type: 'init', origin: { module: 'memory', export: '*' }, name: 'probe' });
    serve({ type: 'init', origin: { module: 'memory', export: 'factory', args: [4] }, name: 'x' });
    await settle();
    await settle();
    expect(got).toEqual([
      { type: 'ready', name: 'probe' },
      { type: 'ready', name: 'probe-4' },
    ]);
  });
});

describe('messagePlan', () => {
  const task = defineTask({ name: 'wide', sampleShape: [4], target: { kind: 'regression', size: 3 }, params: {}, render() {} });
  it('fits whole batches (x and y, 4 bytes a value) in 2 MiB, at most 16, and runs two messages ahead', () => {
    // 7 values of 4 bytes a sample: 2 MiB hold 74,898 samples.
    expect(messagePlan(task, 37449, undefined, 'p')).toEqual({ prefetch: 4, perMessage: 2 });
    expect(messagePlan(task, 37450, undefined, 'p')).toEqual({ prefetch: 2, perMessage: 1 });
    expect(messagePlan(task, 1 << 16, undefined, 'p')).toEqual({ prefetch: 2, perMessage: 1 });
    expect(messagePlan(task, 1, undefined, 'p')).toEqual({ prefetch: 32, perMessage: 16 });
  });
  it('a prefetch given: messages of half of it, within what fits', () => {
    expect(messagePlan(task, 1, 5, 'p')).toEqual({ prefetch: 5, perMessage: 2 });
    expect(messagePlan(task, 1, 1, 'p')).toEqual({ prefetch: 1, perMessage: 1 });
    expect(messagePlan(task, 1, 100, 'p')).toEqual({ prefetch: 100, perMessage: 16 });
    expect(messagePlan(task, 37449, 100, 'p')).toEqual({ prefetch: 100, perMessage: 2 });
    expect(() => messagePlan(task, 1, 0, 'opts.prefetch')).toThrow(/^opts\.prefetch: expected an integer/);
    expect(() => messagePlan(task, 1, 1025, 'opts.prefetch')).toThrow(/^opts\.prefetch: expected an integer/);
  });
});

describe('poolPlan', () => {
  const pool = { workers: 2, origin, batchSize: 8, prefetch: 2, perMessage: 1, size: null };
  it("fills in generate's defaults", () => {
    const plan = poolPlan({}, pool);
    expect([plan.seed, plan.startBatch, plan.batches, plan.recycle, plan.params(3)]).toEqual([0, 0, Infinity, false, {}]);
    expect(plan.workers).toBe(2);
  });
  it('keeps what is given, calling a params function per batch', () => {
    const plan = poolPlan({ seed: 4, startBatch: 2, batches: 5, recycle: true, params: (k) => ({ v: k * 2 }) }, pool);
    expect([plan.seed, plan.startBatch, plan.batches, plan.recycle, plan.params(3)]).toEqual([4, 2, 5, true, { v: 6 }]);
    expect(poolPlan({ params: { v: 1 } }, pool).params(9)).toEqual({ v: 1 });
  });
});
