import { describe, expect, it } from 'vitest';
import { FASHION_CLASSES, fashion, generate, type Batch } from '../src/index.js';
import { sum } from './helpers.js';

const only = (c: number) => Array.from({ length: 10 }, (_, k) => (k === c ? 1 : 0));
async function batchOf(cls: number, params: Record<string, unknown>, size = 40): Promise<Batch> {
  const [b] = await generate(fashion, { seed: 3, batchSize: size, params: { classWeights: only(cls), texture: 0, shading: 0, brightness: 1, ...params } })
    .take(1)
    .toArray();
  return b;
}
const image = (b: Batch, i: number) => b.x.subarray(i * 784, (i + 1) * 784);
const mean = (b: Batch, f: (img: Float32Array) => number) => {
  let s = 0;
  for (let i = 0; i < b.size; i++) s += f(image(b, i));
  return s / b.size;
};
const extent = (img: Float32Array, axis: 'x' | 'y') => {
  let lo = 28,
    hi = -1;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++)
      if (img[y * 28 + x] > 0.2) {
        const v = axis === 'x' ? x : y;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  return hi - lo + 1;
};
const ink = (img: Float32Array) => sum(img);
/** Ink in the upper part of the frame. */
const inkAbove = (row: number) => (img: Float32Array) => sum(img.subarray(0, row * 28));
/** Relative spread (std / mean) of interior pixels: those whose 3x3 neighbourhood is all inside the item. */
const variation = (img: Float32Array) => {
  const vals: number[] = [];
  for (let y = 1; y < 27; y++)
    for (let x = 1; x < 27; x++) {
      let inside = true;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (img[(y + dy) * 28 + x + dx] <= 0.02) inside = false;
      if (inside) vals.push(img[y * 28 + x]);
    }
  const m = vals.reduce((a, v) => a + v, 0) / vals.length;
  return Math.sqrt(vals.reduce((a, v) => a + (v - m) ** 2, 0) / vals.length) / m;
};

describe('fashion', () => {
  it('the ten Fashion-MNIST classes, values in [0, 1], same seed same bytes', async () => {
    const [b] = await generate(fashion, { seed: 1, batchSize: 300 }).take(1).toArray();
    expect(new Set(b.y).size).toBe(10);
    expect(FASHION_CLASSES.length).toBe(10);
    expect(b.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    const [again] = await generate(fashion, { seed: 1, batchSize: 300 }).take(1).toArray();
    expect(again.x).toEqual(b.x);
    // Every class draws something and none fills the whole frame.
    for (let i = 0; i < 300; i++) {
      const covered = image(b, i).filter((v) => v > 0.05).length;
      expect(covered, `sample ${i}, class ${b.y[i]}`).toBeGreaterThan(40);
      expect(covered).toBeLessThan(700);
    }
  });

  it.each([
    ['width', 0.5, 1, 0, (img: Float32Array) => extent(img, 'x')],
    ['length', 0.5, 1, 3, (img: Float32Array) => extent(img, 'y')],
    ['sleeve', 0, 1, 2, ink],
    ['collar', 0, 1, 4, (img: Float32Array) => -ink(img)], // a bigger neckline and lapels take ink away
    ['heel', 0, 1, 9, inkAbove(10)],
    ['straps', 1, 5, 5, ink],
    ['handle', 0, 1, 8, inkAbove(8)],
    ['brightness', 0.2, 1, 7, ink],
    ['texture', 0, 1, 0, variation],
    ['shading', 0, 1, 1, variation],
  ] as const)('%s moves the output in its declared direction', async (name, lo, hi, cls, f) => {
    expect(mean(await batchOf(cls, { [name]: hi }), f)).toBeGreaterThan(mean(await batchOf(cls, { [name]: lo }), f));
  });

  it('rejects parameters outside their ranges', () => {
    expect(() => generate(fashion, { params: { straps: 9 } })).toThrow(/straps.*\[1, 5\]/);
    expect(() => generate(fashion, { params: { brightness: -1 } })).toThrow(/brightness/);
  });
});
