import { describe, expect, it } from 'vitest';
import {
  OtfgenArgumentError,
  OtfgenTaskError,
  OtfgenUnknownTaskError,
  defineTask,
  generate,
  pixelCount,
  pixelCountTask,
  renderBatch,
  taskByName,
} from '../src/index.js';
import { popcount32 } from '../src/core/rng.js';
import { sum } from './helpers.js';
import { bitUnpacker } from '../src/tasks/pixel-count.js';
import { wasmBits } from '../src/tasks/wasm-bits.js';
import { Rng } from '../src/core/rng.js';

const stripes = defineTask({
  name: 'stripes',
  sampleShape: [8, 8, 1],
  target: { kind: 'class', classes: 2 },
  params: { contrast: { min: 0, max: 1, default: 1 } },
  render(rng, p, out, offset, label) {
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) out[offset + r * 8 + c] = ((label ? r : c) >> 1) & 1 ? p.contrast : 0;
    return label;
  },
});

describe('pixelCount', () => {
  it('makes binary 28x28 images labelled with their on-pixel count', async () => {
    const [b] = await generate(pixelCount, { seed: 1, batchSize: 16 }).take(1).toArray();
    expect(b.sampleShape).toEqual([28, 28, 1]);
    expect(b.target).toEqual({ kind: 'regression', size: 1 });
    for (let i = 0; i < 16; i++) {
      const img = b.x.subarray(i * 784, (i + 1) * 784);
      expect(img.every((v) => v === 0 || v === 1)).toBe(true);
      expect(b.y[i]).toBe(img.reduce((a, v) => a + v, 0));
    }
  });

  it('the on-probability parameter moves the count, fixed or drawn per image', async () => {
    const mean = async (params: object) => {
      const [b] = await generate(pixelCount, { seed: 2, batchSize: 200, params }).take(1).toArray();
      return { mean: sum(b.y) / b.size, spread: Math.max(...b.y) - Math.min(...b.y) };
    };
    const low = await mean({ onProbability: 0.1 });
    const high = await mean({ onProbability: 0.9 });
    expect(low.mean).toBeGreaterThan(784 * 0.08);
    expect(low.mean).toBeLessThan(784 * 0.12);
    expect(high.mean).toBeGreaterThan(784 * 0.88);
    const ranged = await mean({ onProbability: [0.1, 0.9] });
    expect(ranged.spread).toBeGreaterThan(300);
  });

  it('fraction and binned targets', async () => {
    const [f] = await generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 4 })
      .take(1)
      .toArray();
    const [c] = await generate(pixelCount, { seed: 1, batchSize: 4 }).take(1).toArray();
    for (let i = 0; i < 4; i++) expect(f.y[i]).toBeCloseTo(c.y[i] / 784, 6);
    const binned = pixelCountTask({ target: { bins: 10 } });
    const [b] = await generate(binned, { seed: 1, batchSize: 100, params: { onProbability: [0, 1] } })
      .take(1)
      .toArray();
    expect(b.target).toEqual({ kind: 'class', classes: 10 });
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(new Set(b.y).size).toBeGreaterThan(5);
    for (let i = 0; i < 100; i++) {
      const count = b.x.subarray(i * 784, (i + 1) * 784).reduce((a, v) => a + v, 0);
      expect(b.y[i]).toBe(Math.floor((count * 10) / 785));
    }
  });

  it('odd sizes work (the tail bits beyond the last full word)', async () => {
    const [b] = await generate(pixelCountTask({ size: 5 }), { seed: 1, batchSize: 3 })
      .take(1)
      .toArray();
    for (let i = 0; i < 3; i++) expect(b.y[i]).toBe(b.x.subarray(i * 25, (i + 1) * 25).reduce((a, v) => a + v, 0));
  });

  it('the fast unpacker writes exactly the bits, aligned or not', () => {
    const words = Int32Array.from([0x12345678, -1, 0, 0x0f0f0f0f, 0x5]);
    const pixels = 150;
    const unpack = bitUnpacker();
    for (const offset of [0, 1, 2, 7]) {
      const out = new Float32Array(offset + pixels).fill(9);
      unpack(words, pixels, out, offset);
      for (let p = 0; p < pixels; p++) expect(out[offset + p]).toBe((words[p >>> 5] >>> (p & 31)) & 1);
      expect(out.subarray(0, offset).every((v) => v === 9)).toBe(true);
    }
    expect(popcount32(words[0])).toBe(13);
  });

  it('the WebAssembly path draws and unpacks the same bits as the plain-JS path', () => {
    for (const pixels of [25, 784, 1000]) {
      const wasm = wasmBits(pixels);
      expect(wasm).not.toBeNull(); // Node 20 has WebAssembly SIMD
      const words = new Int32Array(Math.ceil(pixels / 32));
      for (const p of [0, 1 / 256, 0.3, 0.5, 0.77, 255 / 256, 1]) {
        const a = new Rng(`bits/${pixels}/${p}`),
          b = new Rng(`bits/${pixels}/${p}`);
        a.fillBernoulliWords(words, p);
        wasm!.fillBernoulli(b, p);
        expect(Array.from(wasm!.words)).toEqual(Array.from(words));
        expect([b.x, b.y, b.z, b.w]).toEqual([a.x, a.y, a.z, a.w]); // the generator goes on alike
        const expected = new Float32Array(pixels);
        bitUnpacker()(words, pixels, expected, 0);
        wasm!.unpack();
        expect(Array.from(wasm!.pixels)).toEqual(Array.from(expected));
      }
    }
  });

  it('rejects parameters outside their range, naming them', () => {
    expect(() => generate(pixelCount, { params: { onProbability: 1.5 } })).toThrow(/onProbability.*\[0, 1\]/);
    expect(() => generate(pixelCount, { params: { onProbability: [0.9, 0.1] } })).toThrow(OtfgenArgumentError);
    expect(() => generate(pixelCount, { params: { wrong: 1 } as never })).toThrow(/no such parameter.*onProbability/);
    // A name every object inherits is not a parameter either.
    expect(() => generate(pixelCount, { params: { toString: 1 } as never })).toThrow(/params\.toString: task 'pixel-count' has no such parameter/);
    expect(() => pixelCountTask({ target: 'bogus' as never })).toThrow(/target/);
  });
});

describe('generate', () => {
  it('same seed, same bytes; other seed, other bytes', async () => {
    const run = async (seed: number) =>
      (await generate(pixelCount, { seed, batchSize: 32 }).take(3).toArray()).map((b) => Buffer.from(b.x.buffer).toString('base64'));
    expect(await run(5)).toEqual(await run(5));
    expect((await run(6))[0]).not.toEqual((await run(5))[0]);
  });

  it('batch k depends only on (seed, k, params): renderBatch and startBatch agree with the stream', async () => {
    const stream = await generate(pixelCount, { seed: 'x', batchSize: 8 }).take(4).toArray();
    const alone = renderBatch(pixelCount, { seed: 'x', index: 3, batchSize: 8 });
    expect(alone.x).toEqual(stream[3].x);
    const [resumed] = await generate(pixelCount, { seed: 'x', batchSize: 8, startBatch: 2 }).take(1).toArray();
    expect(resumed.y).toEqual(stream[2].y);
    // Issue 41: the checks above pass when every batch is the same; they are not, nor are two seeds' batches.
    const distinct = new Set(stream.map((b) => Array.from(b.x).join()));
    expect(distinct.size).toBe(4);
    const [other] = await generate(pixelCount, { seed: 'y', batchSize: 8 }).take(1).toArray();
    expect(other.x).not.toEqual(stream[0].x);
  });

  it('params may be a function of the batch index', async () => {
    const out = await generate(pixelCount, { seed: 1, batchSize: 50, params: (k) => ({ onProbability: k === 0 ? 0.1 : 0.9 }) })
      .take(2)
      .toArray();
    expect(sum(out[0].y) / 50).toBeLessThan(100);
    expect(sum(out[1].y) / 50).toBeGreaterThan(650);
  });

  it('validates its options', () => {
    expect(() => generate(pixelCount, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => generate(pixelCount, { workers: 2 } as never)).toThrow(/Node-only: import \{ generateInWorkers \} from 'otfgen\/node'/);
    expect(() => generate({} as never)).toThrow(/^generate\(task\): expected a task made by defineTask \(or a built-in such as digits\), got \{\}/);
    // A built-in's name instead of the task: the message says how to get the task.
    expect(() => generate('pixel-count' as never)).toThrow(
      /generate\(task\): .*got "pixel-count"; for a built-in task by name, pass taskByName\("pixel-count"\)/,
    );
    expect(() => renderBatch(undefined as never, { index: 0 })).toThrow(/^renderBatch\(task\): expected a task/);
    expect(generate(pixelCount).size).toBe(Infinity);
    expect(generate(pixelCount, { batches: 7 }).size).toBe(7);
  });
});

describe('defineTask', () => {
  it('a user task in a few lines: conditional classes follow classWeights', async () => {
    const [b] = await generate(stripes, { seed: 1, batchSize: 400, params: { classWeights: [1, 3] } })
      .take(1)
      .toArray();
    const ones = sum(b.y);
    expect(ones / 400).toBeGreaterThan(0.68);
    expect(ones / 400).toBeLessThan(0.82);
    // Label 1 draws horizontal stripes: row 2 is on, row 0 is off.
    const i = b.y.indexOf(1);
    expect(b.x[i * 64 + 2 * 8]).toBe(1);
    expect(b.x[i * 64]).toBe(0);
    expect(stripes.params.classWeights?.length).toBe(2);
  });

  it('checks the definition', () => {
    const base = { name: 't', sampleShape: [2], target: { kind: 'class', classes: 2 } as const, params: {}, render: () => 0 };
    expect(() => defineTask({ ...base, name: 'Bad Name' })).toThrow(/name/);
    expect(() => defineTask({ ...base, sampleShape: [0] })).toThrow(/sampleShape\[0\]/);
    expect(() => defineTask({ ...base, target: { kind: 'class', classes: 1 } })).toThrow(/classes/);
    expect(() => defineTask({ ...base, params: { a: { min: 1, max: 0, default: 0 } } })).toThrow(/params.a/);
    expect(() => defineTask({ ...base, params: { a: { min: 0, max: 1, default: 2 } } })).toThrow(/params.a.default/);
    expect(() => defineTask({ ...base, render: undefined as never })).toThrow(/render/);
  });

  it('a render that throws or returns a bad target gives a typed error naming task and batch', async () => {
    const bad = defineTask({ name: 'bad', sampleShape: [1], target: { kind: 'class', classes: 2 }, params: {}, render: () => 5 });
    const err = await generate(bad, { startBatch: 3 })
      .take(1)
      .toArray()
      .catch((e) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect(err.message).toMatch(/task 'bad' failed on batch 3.*class id/);
    const thrower = defineTask({
      name: 'thrower',
      sampleShape: [1],
      target: { kind: 'regression', size: 1 },
      params: {},
      render: () => {
        throw new Error('nope');
      },
    });
    await expect(generate(thrower).take(1).toArray()).rejects.toThrow(/thrower.*nope/);
  });

  it('vector regression targets are written by render', async () => {
    const two = defineTask({
      name: 'two',
      sampleShape: [1],
      target: { kind: 'regression', size: 2 },
      params: {},
      render(rng, p, out, offset, label, y, yOffset) {
        out[offset] = 0.5;
        y[yOffset] = 1;
        y[yOffset + 1] = 2;
      },
    });
    const [b] = await generate(two, { batchSize: 3 }).take(1).toArray();
    expect(Array.from(b.y)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('tasks by name; unknown names list the known ones', () => {
    expect(taskByName('pixel-count')).toBe(pixelCount);
    expect(() => taskByName('pixle-count')).toThrow(OtfgenUnknownTaskError);
    expect(() => taskByName('pixle-count')).toThrow(/known tasks: .*pixel-count/);
  });
});

// Issue 40, item 10: batchSize 1e9 gave an untyped RangeError at the first next().
describe('a batch size too large for memory', () => {
  it('is refused up front, naming the option, with the memory it would need and the most that fit', async () => {
    const { OtfgenArgumentError, arraySource, digits, generate, renderBatch } = await import('../src/index.js');
    const want =
      /batchSize: 1000000000 samples of \[28, 28, 1\] need 2920\.6 GB for one batch \(784000000000 float32 values, more than a typed array holds\); at most 2739137 fit in one batch/;
    expect(() => generate(digits, { batchSize: 1e9 })).toThrow(OtfgenArgumentError);
    expect(() => generate(digits, { batchSize: 1e9 })).toThrow(want);
    expect(() => renderBatch(digits, { index: 0, batchSize: 1e9 })).toThrow(/^renderBatch options\.batchSize: 1000000000 samples/);
    const data = { x: new Uint8Array(784), y: new Uint8Array(1), sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } } as const;
    expect(() => arraySource(data, { batchSize: 1e9 })).toThrow(/^arraySource options\.batchSize: 1000000000 samples/);
    // The largest that fits is accepted (nothing is allocated until a batch is asked for).
    expect(() => generate(digits, { batchSize: 2739137 })).not.toThrow();
  });
});
