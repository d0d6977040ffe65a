import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { MNIST_DIGIT_PARAMS, OtfgenArgumentError, digits, generate, imageStatistics, type Batch } from '../src/index.js';
import { DEFAULT_STYLE_WEIGHTS, GLYPHS, MAX_STYLES } from '../src/tasks/digits/glyphs.js';
import { previewPng } from '../src/harness/index.js';
import { mnist } from '../src/node/index.js';
import { sum } from './helpers.js';

const one = (d: number, n = 10) => Array.from({ length: n }, (_, k) => (k === d ? 1 : 0));
const style = (k: number) => one(k, MAX_STYLES);
async function batchOf(params: Record<string, unknown>, size = 64, seed = 1): Promise<Batch> {
  const [b] = await generate(digits, { seed, batchSize: size, params }).take(1).toArray();
  return b;
}
const image = (b: Batch, i: number) => b.x.subarray(i * 784, (i + 1) * 784);
const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;

/** Centre of mass and the extent of pixels above `level`. */
function layout(img: Float32Array, level = 0.1) {
  let m = 0,
    cx = 0,
    cy = 0,
    x0 = 28,
    x1 = -1,
    y0 = 28,
    y1 = -1;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      m += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
      if (v > level) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  return { cx: cx / m, cy: cy / m, width: x1 - x0 + 1, height: y1 - y0 + 1, ink: m };
}

describe('digits', () => {
  it('ten classes, every style drawn, values in [0, 1]; same seed, same bytes', async () => {
    const b = await batchOf({}, 500);
    expect(new Set(b.y).size).toBe(10);
    expect(b.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(b.x.reduce((a, v) => Math.max(a, v), 0)).toBe(1);
    expect((await batchOf({}, 500)).x).toEqual(b.x);
    expect((await batchOf({}, 500, 2)).x).not.toEqual(b.x);
    expect(GLYPHS.every((styles) => styles.length >= 2)).toBe(true);
  });

  it('MNIST layout: fits the 20x20 box, centre of mass at the centre', async () => {
    const b = await batchOf({ blur: 0 }, 200);
    for (let i = 0; i < 200; i++) {
      const l = layout(image(b, i));
      expect(Math.max(l.width, l.height), `sample ${i}`).toBeLessThanOrEqual(21);
      expect(Math.max(l.width, l.height), `sample ${i}`).toBeGreaterThanOrEqual(15);
      expect(Math.abs(l.cx - 14), `sample ${i}`).toBeLessThan(1);
      expect(Math.abs(l.cy - 14), `sample ${i}`).toBeLessThan(1);
    }
  });

  it("centre: the ink's centre of mass goes to that pixel index (default 13.5; MNIST's 14), with the same draws otherwise", async () => {
    const meanCentre = async (centre?: number) => {
      const b = await batchOf(centre === undefined ? {} : { centre }, 200);
      const ls = Array.from({ length: 200 }, (_, i) => layout(image(b, i)));
      // layout() measures pixel k at k + 0.5: back to pixel indices.
      return { x: mean(ls.map((l) => l.cx - 0.5)), y: mean(ls.map((l) => l.cy - 0.5)), ink: ls.map((l) => l.ink) };
    };
    const byDefault = await meanCentre();
    expect((await batchOf({ centre: 13.5 }, 200)).x).toEqual((await batchOf({}, 200)).x);
    for (const centre of [14, 15]) {
      const c = await meanCentre(centre);
      expect(Math.abs(c.x - centre)).toBeLessThan(0.1);
      expect(Math.abs(c.y - centre)).toBeLessThan(0.1);
      expect(c.x - byDefault.x).toBeCloseTo(centre - 13.5, 1);
      // The same digits, moved: the ink of each changes by little (resampling only).
      c.ink.forEach((ink, i) => expect(Math.abs(ink - byDefault.ink[i]) / byDefault.ink[i]).toBeLessThan(0.1));
    }
    await expect(batchOf({ centre: 20 }, 1)).rejects.toThrow(/params\.centre: expected .* within \[12, 16\]/);
  });

  it('styles differ: a 7 with a bar has ink where a plain 7 has none', async () => {
    const plain = await batchOf({ classWeights: one(7), styleWeights: style(0), jitter: 0, elastic: 0, rotation: 0, slant: 0 }, 8);
    const barred = await batchOf({ classWeights: one(7), styleWeights: style(1), jitter: 0, elastic: 0, rotation: 0, slant: 0 }, 8);
    expect(mean(Array.from({ length: 8 }, (_, i) => layout(image(barred, i)).ink))).toBeGreaterThan(
      1.15 * mean(Array.from({ length: 8 }, (_, i) => layout(image(plain, i)).ink)),
    );
  });

  it('added styles sit in slots 4 and 5: off by default, drawn when weighted; a digit whose styles all weigh 0 keeps its first ones', async () => {
    for (const styles of GLYPHS) {
      const slots = styles.map((st) => st.slot);
      expect(new Set(slots).size).toBe(slots.length);
      const first = styles.filter((st) => DEFAULT_STYLE_WEIGHTS[st.slot] > 0);
      expect(first.map((st) => st.slot)).toEqual(first.map((_, i) => i)); // the first styles, in slots 0, 1, ...
      expect(styles.slice(first.length).every((st) => st.slot >= 4 && st.slot < MAX_STYLES)).toBe(true);
    }
    expect(GLYPHS.filter((styles) => styles.some((st) => st.slot >= 4)).length).toBe(10);
    const all = (await batchOf({ styleWeights: [1, 1, 1, 1, 1, 1] }, 200)).x;
    expect((await batchOf({ styleWeights: [...DEFAULT_STYLE_WEIGHTS] }, 200)).x).toEqual((await batchOf({}, 200)).x);
    expect(all).not.toEqual((await batchOf({}, 200)).x);
    // An 8 drawn as an S plus a diagonal (slot 4) is none of the first three.
    const eight = { classWeights: one(8), jitter: 0, elastic: 0 };
    const added = (await batchOf({ ...eight, styleWeights: style(4) }, 16)).x;
    for (let k = 0; k < 3; k++) expect(added).not.toEqual((await batchOf({ ...eight, styleWeights: style(k) }, 16)).x);
    // A 1 has no style in slot 3: its first three, evenly, as by default.
    const oneDigit = { classWeights: one(1) };
    expect((await batchOf({ ...oneDigit, styleWeights: style(3) }, 64)).x).toEqual((await batchOf(oneDigit, 64)).x);
  });

  // Each parameter moves the output the way its description says.
  const fixed = { jitter: 0, elastic: 0, blur: 0, pressure: 0, rotation: 0, slant: 0, aspect: 0.7, strokeWidth: 2.5, scale: 1 };
  const measure = async (params: Record<string, unknown>, f: (img: Float32Array) => number) => {
    const b = await batchOf({ ...fixed, ...params }, 100, 5);
    return mean(Array.from({ length: 100 }, (_, i) => f(image(b, i))));
  };
  const ink = (img: Float32Array) => sum(img);
  const partial = (img: Float32Array) => img.filter((v) => v > 0.05 && v < 0.95).length;
  /** Mean x of ink in the top third minus in the bottom third: positive when leaning right. */
  const lean = (img: Float32Array) => {
    const cx = (r0: number, r1: number) => {
      let m = 0,
        s = 0;
      for (let y = r0; y < r1; y++)
        for (let x = 0; x < 28; x++) {
          m += img[y * 28 + x];
          s += img[y * 28 + x] * x;
        }
      return s / Math.max(m, 1e-9);
    };
    return cx(4, 11) - cx(17, 24);
  };
  const width = (img: Float32Array) => layout(img).width;
  const size = (img: Float32Array) => Math.max(layout(img).width, layout(img).height);

  it.each([
    ['strokeWidth', 1.5, 4, ink],
    ['blur', 0, 1, partial],
    ['slant', -30, 30, lean],
    ['aspect', 0.4, 1.2, width],
    ['scale', 0.5, 1, size],
  ] as const)('%s moves the output in its declared direction', async (name, lo, hi, f) => {
    expect(await measure({ [name]: hi }, f)).toBeGreaterThan(await measure({ [name]: lo }, f));
  });

  it.each([
    ['jitter', 0.1],
    ['elastic', 0.15],
    ['pressure', 1],
    ['rotation', 30],
  ] as const)('%s adds variation', async (name, amount) => {
    // The same digit and style drawn repeatedly: more of the parameter, more difference between draws.
    const spread = async (v: number | [number, number]) => {
      const b = await batchOf({ ...fixed, classWeights: one(3), styleWeights: style(0), [name]: v }, 40, 7);
      let d = 0;
      for (let i = 1; i < 40; i++) for (let k = 0; k < 784; k++) d += Math.abs(b.x[i * 784 + k] - b.x[k]);
      return d;
    };
    const none = 0; // no variation of the parameter
    expect(await spread(name === 'rotation' ? [-amount, amount] : amount)).toBeGreaterThan(2 * (await spread(none)) + 1);
  });

  it('rejects parameters outside their ranges, naming them', () => {
    expect(() => generate(digits, { params: { strokeWidth: 9 } })).toThrow(/strokeWidth.*\[0.5, 6\]/);
    expect(() => generate(digits, { params: { styleWeights: one(-1, MAX_STYLES) } })).toThrow(OtfgenArgumentError);
    expect(() => generate(digits, { params: { styleWeights: [1, 1, 1, 1] } })).toThrow(/styleWeights: expected 6 non-negative weights/);
    expect(() => generate(digits, { params: { classWeights: [1, 2] } })).toThrow(/classWeights.*10 non-negative/);
  });

  it('previews as a PNG grid, one row per class', async () => {
    const png = await previewPng(digits, { seed: 1, perRow: 4, scale: 1 });
    expect(
      Array.from(png.subarray(1, 4))
        .map((c) => String.fromCharCode(c))
        .join(''),
    ).toBe('PNG');
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBe(2 + 4 * (28 + 2)); // width
    expect(view.getUint32(20)).toBe(2 + 10 * (28 + 2)); // height: ten rows
  });

  it("MNIST_DIGIT_PARAMS are the committed fit report's params (the README's results were made with them), frozen, and centre the ink at 14", async () => {
    const report = JSON.parse(await readFile(new URL('../benchmarks/results/fit/digits-varied-centre.json', import.meta.url), 'utf8'));
    expect(MNIST_DIGIT_PARAMS).toEqual(report.params);
    expect(Object.isFrozen(MNIST_DIGIT_PARAMS) && Object.values(MNIST_DIGIT_PARAMS).every((v) => Object.isFrozen(v))).toBe(true);
    const [b] = await generate(digits, { seed: 3, batchSize: 200, params: MNIST_DIGIT_PARAMS }).take(1).toArray();
    const real = await mnist({ split: 'test' });
    const mine = imageStatistics(b);
    const theirs = imageStatistics({ x: real.x.subarray(0, 1000 * 784), sampleShape: real.sampleShape });
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
    // Within 0.1 pixel of MNIST's centre of mass (the default, 13.5, is half a pixel off).
    for (const k of ['centreY', 'centreX'] as const) expect(Math.abs(mean(mine[k]) - mean(theirs[k])) * 28).toBeLessThan(0.1);
  });
});
