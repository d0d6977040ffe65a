/**
 * generate and renderBatch: each check of their options with its whole
 * message, the arrays `into` must be, the targets a render may return, and
 * how the parameters reach the render (ranges drawn, class weights only for
 * conditional tasks, the target offset of each sample).
 */
import { describe, expect, it } from 'vitest';
import { defineTask, generate, OtfgenArgumentError, OtfgenTaskError, pixelCountTask, renderBatch } from '../src/index.js';
import { checkParams } from '../src/tasks/generate.js';
import { thrownBy } from './helpers.js';

const pixelCount = pixelCountTask();

const argumentMessage = (f: () => unknown) => thrownBy(f, OtfgenArgumentError).message;

/** A class task of `classes` classes whose render returns `answer(label, i)` and logs what it was given. */
function classTask(classes: number, answer: (label: number) => unknown, extra: Record<string, unknown> = {}) {
  const seen: { label: number; offset: number; yOffset: number; params: Record<string, unknown> }[] = [];
  const task = defineTask({
    name: 'answers',
    sampleShape: [2],
    target: { kind: 'class', classes },
    params: {},
    ...extra,
    render(_rng, params, _out, offset, label, _y, yOffset) {
      seen.push({ label, offset, yOffset, params: { ...params } });
      return answer(label) as number;
    },
  });
  return { task, seen };
}

describe('generate and renderBatch name a bad option', () => {
  it('with the whole message', () => {
    expect(argumentMessage(() => generate(pixelCount, { workers: 2 } as never))).toBe(
      "generate options.workers: worker threads are Node-only: import { generateInWorkers } from 'otfgen/node'",
    );
    expect(argumentMessage(() => generate(pixelCount, { startBatch: -1 }))).toBe('generate options.startBatch: expected an integer >= 0, got -1');
    expect(argumentMessage(() => generate(pixelCount, { batches: 1.5 }))).toBe('generate options.batches: expected an integer >= 0, got 1.5');
    expect(argumentMessage(() => generate(pixelCount, { params: 5 as never }))).toBe(
      'generate options.params: expected an object or a function of the batch index, got 5',
    );
    expect(argumentMessage(() => generate(pixelCount, { params: null as never }))).toBe(
      'generate options.params: expected an object or a function of the batch index, got null',
    );
    expect(argumentMessage(() => renderBatch(pixelCount, { index: -1 }))).toBe('renderBatch options.index: expected an integer >= 0, got -1');
  });

  it('a params function is checked per batch, naming the batch', async () => {
    const stream = generate(pixelCount, { params: (k) => (k === 2 ? ({ bogus: 1 } as never) : {}) });
    const err = await stream
      .take(3)
      .toArray()
      .catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^params\(2\)\.bogus: task 'pixel-count' has no such parameter; it has: /);
  });

  it('a params function may return nothing: the defaults', async () => {
    const [a] = await generate(pixelCount, { seed: 4, params: () => undefined as never })
      .take(1)
      .toArray();
    const [b] = await generate(pixelCount, { seed: 4 }).take(1).toArray();
    expect(a.x).toEqual(b.x);
  });

  it('a given weights parameter is checked; a missing one is uniform', async () => {
    const { task } = classTask(2, (label) => label);
    expect(argumentMessage(() => generate(task, { params: { classWeights: [0, 0] } }))).toBe(
      'generate options.params.classWeights: expected 2 non-negative weights, not all zero; got [0, 0]',
    );
    const [b] = await generate(task, { batchSize: 400 }).take(1).toArray();
    const ones = Array.from(b.y).filter((v) => v === 1).length;
    expect(ones).toBeGreaterThan(150);
    expect(ones).toBeLessThan(250);
  });

  it('checkParams takes an object of the task parameters only', () => {
    const wanted = "sweep params: expected an object of pixel-count's parameters, got";
    expect(argumentMessage(() => checkParams(pixelCount, [1] as never, 'sweep params'))).toBe(`${wanted} [1]`);
    expect(argumentMessage(() => checkParams(pixelCount, null as never, 'sweep params'))).toBe(`${wanted} null`);
    expect(argumentMessage(() => checkParams(pixelCount, 3 as never, 'sweep params'))).toBe(`${wanted} 3`);
    expect(argumentMessage(() => checkParams(pixelCount, { onProbability: 2 }, 'sweep params'))).toBe(
      'sweep params.onProbability: expected a number or a [lo, hi] range within [0, 1], got 2',
    );
    expect(() => checkParams(pixelCount, { onProbability: [0.2, 0.3] }, 'sweep params')).not.toThrow();
  });
});

describe('renderBatch into given arrays', () => {
  const { task } = classTask(3, () => 1);
  const regression = defineTask({ name: 'reg', sampleShape: [2], target: { kind: 'regression', size: 3 }, params: {}, render() {} });

  it('refuses arrays of the wrong kind or length, naming x or y and what fits', () => {
    const into = (x: unknown, y: unknown) => () => renderBatch(task, { index: 0, batchSize: 4, into: { x, y } as never });
    expect(argumentMessage(into(new Float32Array(7), new Int32Array(4)))).toBe(
      'renderBatch options.into.x: expected a Float32Array of 8 values (batch 4 × 2), got Float32Array of length 7',
    );
    expect(argumentMessage(into(undefined, new Int32Array(4)))).toBe(
      'renderBatch options.into.x: expected a Float32Array of 8 values (batch 4 × 2), got undefined',
    );
    expect(argumentMessage(into(new Float64Array(8), new Int32Array(4)))).toBe(
      'renderBatch options.into.x: expected a Float32Array of 8 values (batch 4 × 2), got Float64Array of length 8',
    );
    expect(argumentMessage(into(new Float32Array(8), new Float32Array(4)))).toBe(
      "renderBatch options.into.y: expected an Int32Array of 4 values for task 'answers', got Float32Array of length 4",
    );
    expect(argumentMessage(into(new Float32Array(8), new Int32Array(5)))).toBe(
      "renderBatch options.into.y: expected an Int32Array of 4 values for task 'answers', got Int32Array of length 5",
    );
    expect(argumentMessage(into(new Float32Array(8), undefined))).toBe(
      "renderBatch options.into.y: expected an Int32Array of 4 values for task 'answers', got undefined",
    );
    expect(argumentMessage(() => renderBatch(regression, { index: 0, batchSize: 4, into: { x: new Float32Array(8), y: new Int32Array(12) } }))).toBe(
      "renderBatch options.into.y: expected a Float32Array of 12 values for task 'reg', got Int32Array of length 12",
    );
  });

  it('draws over arrays that fit, zeroed first', () => {
    const into = { x: new Float32Array(8).fill(9), y: new Int32Array(4).fill(9) };
    const b = renderBatch(task, { index: 0, batchSize: 4, into });
    expect(b.x).toBe(into.x);
    expect(b.y).toBe(into.y);
    expect(Array.from(b.x)).toEqual(new Array(8).fill(0));
    expect(Array.from(b.y)).toEqual([1, 1, 1, 1]);
    const r = renderBatch(regression, { index: 0, batchSize: 4, into: { x: new Float32Array(8), y: new Float32Array(12) } });
    expect(r.y.length).toBe(12);
  });
});

describe('what a render may return', () => {
  it('a class task: an integer class id in [0, classes - 1]', async () => {
    for (const [bad, shown] of [
      [3, '3'],
      [-1, '-1'],
      [0.5, '0.5'],
      ['1', '"1"'],
    ] as const) {
      const { task } = classTask(3, () => bad);
      const err = await generate(task)
        .take(1)
        .toArray()
        .catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(OtfgenTaskError);
      expect((err as Error).message).toBe(`task 'answers' failed on batch 0: render returned ${shown}, expected a class id in [0, 2]`);
    }
    for (const good of [0, 2]) {
      const { task } = classTask(3, () => good);
      const [b] = await generate(task, { batchSize: 2 }).take(1).toArray();
      expect(Array.from(b.y)).toEqual([good, good]);
    }
  });

  it('a one-value regression task: a finite number', async () => {
    for (const [bad, shown] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      ['1', '"1"'],
      [undefined, 'undefined'],
    ] as const) {
      const task = defineTask({ name: 'one', sampleShape: [1], target: { kind: 'regression', size: 1 }, params: {}, render: () => bad as never });
      const err = await generate(task)
        .take(1)
        .toArray()
        .catch((e: unknown) => e as Error);
      expect((err as Error).message).toBe(`task 'one' failed on batch 0: render returned ${shown}, expected a finite number`);
    }
    const task = defineTask({ name: 'one', sampleShape: [1], target: { kind: 'regression', size: 1 }, params: {}, render: () => -2.5 });
    const [b] = await generate(task, { batchSize: 2 }).take(1).toArray();
    expect(Array.from(b.y)).toEqual([-2.5, -2.5]);
  });
});

describe('what a render is given', () => {
  it('each sample its offset in x and y (one target value a sample for classes)', async () => {
    const { task, seen } = classTask(2, (label) => label);
    await generate(task, { batchSize: 3 }).take(1).toArray();
    expect(seen.map((s) => [s.offset, s.yOffset])).toEqual([
      [0, 0],
      [2, 1],
      [4, 2],
    ]);
  });

  it('the label drawn by classWeights, for a conditional task only', async () => {
    const { task, seen } = classTask(3, (label) => label);
    await generate(task, { batchSize: 50, params: { classWeights: [0, 0, 1] } })
      .take(1)
      .toArray();
    expect(new Set(seen.map((s) => s.label))).toEqual(new Set([2]));
    // A task that picks its own classes gets label 0, even with a weights parameter called classWeights.
    const own = classTask(3, () => 1, { conditional: false, params: { classWeights: { type: 'weights', length: 3, default: [0, 0, 1] } } });
    await generate(own.task, { batchSize: 20 }).take(1).toArray();
    expect(new Set(own.seen.map((s) => s.label))).toEqual(new Set([0]));
  });

  it('a range drawn per sample within it, an integer parameter floored, a fixed value as it is', async () => {
    const { task, seen } = classTask(2, () => 0, {
      params: { a: { min: 0, max: 10, default: 0 }, n: { min: 0, max: 10, default: 0, integer: true }, f: { min: 0, max: 10, default: 0 } },
    });
    await generate(task, { batchSize: 200, params: { a: [2, 4], n: [1, 3], f: 7 } as never })
      .take(1)
      .toArray();
    const a = seen.map((s) => s.params.a as number);
    const n = seen.map((s) => s.params.n as number);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...a)).toBeLessThan(4);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(1.5);
    // Floored, as NumberParam.integer says: [1, 3] draws 1 and 2.
    expect(new Set(n)).toEqual(new Set([1, 2]));
    expect(new Set(seen.map((s) => s.params.f))).toEqual(new Set([7]));
  });

  it("the stream's return() ends it", async () => {
    const it = generate(pixelCount)[Symbol.asyncIterator]();
    await it.next();
    expect(await it.return!()).toEqual({ done: true, value: undefined });
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });
});
