import { describe, expect, it } from 'vitest';
import { hypot2, strokePolyline, strokeRaster } from '../src/tasks/digits/raster.js';
import { Rng } from '../src/core/rng.js';

/** Random polylines over (and past) the edges of a width x height image. */
function randomStrokes(rng: Rng, width: number, height: number, count: number): Float64Array[] {
  const strokes: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const n = 1 + rng.int(12);
    const pts = new Float64Array(3 * n);
    let x = rng.uniform(-2, width + 2),
      y = rng.uniform(-2, height + 2);
    for (let i = 0; i < n; i++) {
      pts[3 * i] = x;
      pts[3 * i + 1] = y;
      pts[3 * i + 2] = rng.uniform(0.05, 3);
      x += rng.uniform(-4, 4);
      y += rng.uniform(-4, 4);
    }
    strokes.push(pts);
  }
  return strokes;
}

describe('stroke rasterising', () => {
  it('the WebAssembly loop draws the same bytes as the plain-JS loop', () => {
    for (const [width, height] of [
      [28, 28],
      [27, 13],
      [2, 5],
      [3, 3],
    ]) {
      const wasm = strokeRaster(width, height);
      const js = strokeRaster(width, height, { js: true });
      expect(wasm.kind).toBe('wasm'); // Node 20 has WebAssembly SIMD
      expect(js.kind).toBe('js');
      const rng = new Rng(`raster/${width}x${height}`);
      let drawn = 0;
      for (let round = 0; round < 200; round++) {
        wasm.clear();
        js.clear();
        expect(wasm.image.every((v) => v === 0)).toBe(true);
        const soft = rng.uniform(0.5, 3);
        for (const pts of randomStrokes(rng, width, height, 1 + rng.int(3))) {
          wasm.stroke(pts, 0, pts.length / 3, soft);
          js.stroke(pts, 0, pts.length / 3, soft);
        }
        expect(Array.from(wasm.image)).toEqual(Array.from(js.image));
        expect(Array.from(wasm.box)).toEqual(Array.from(js.box));
        const [x0, x1, y0, y1] = js.box; // every drawn pixel is inside the box
        js.image.forEach((v, i) => {
          if (v !== 0) expect([i % width >= x0 && i % width <= x1, Math.floor(i / width) >= y0 && Math.floor(i / width) <= y1]).toEqual([true, true]);
        });
        drawn += js.image.reduce((a, v) => a + v, 0);
      }
      expect(drawn).toBeGreaterThan(0); // the strokes were not all off the image
    }
  });

  it('moments sums v, v·x and v·y over the image in row order, the same in WebAssembly as in JS, to the bit', () => {
    const reference = (image: Float32Array, width: number) => {
      let m = 0,
        mx = 0,
        my = 0; // over the whole image: the zeros outside the box add nothing
      image.forEach((v, i) => {
        m += v;
        mx += v * (i % width);
        my += v * Math.floor(i / width);
      });
      return [m, mx, my];
    };
    for (const [width, height] of [
      [28, 28],
      [27, 13],
      [3, 3],
    ]) {
      const wasm = strokeRaster(width, height),
        js = strokeRaster(width, height, { js: true });
      expect(Array.from(wasm.moments())).toEqual([0, 0, 0]); // nothing drawn
      const rng = new Rng(`moments/${width}x${height}`);
      // 3,000 rounds: long enough for the engine's optimising tier to compile the WebAssembly too.
      for (let round = 0; round < 3000; round++) {
        wasm.clear();
        js.clear();
        const soft = rng.uniform(0.5, 3);
        for (const pts of randomStrokes(rng, width, height, 1 + rng.int(2))) {
          wasm.stroke(pts, 0, pts.length / 3, soft);
          js.stroke(pts, 0, pts.length / 3, soft);
        }
        const expected = reference(js.image, width);
        expect(Array.from(js.moments())).toEqual(expected);
        expect(Array.from(wasm.moments())).toEqual(expected);
      }
      expect(reference(js.image, width)[0]).toBeGreaterThan(0);
    }
  });

  it('draws a polyline longer than one call of records, and boxes spanning an odd-width image, alike', () => {
    const rng = new Rng('raster/long');
    for (const [width, height] of [
      [28, 28],
      [9, 28],
    ]) {
      const long = new Float64Array(3 * 700);
      for (let i = 0; i < 700; i++) {
        long[3 * i] = width / 2 + (width / 2) * Math.sin(i / 37) + rng.uniform(-0.5, 0.5);
        long[3 * i + 1] = height / 2 + (height / 2) * Math.cos(i / 23);
        long[3 * i + 2] = rng.uniform(0.2, 6); // up to wider than the narrow image
      }
      const wasm = strokeRaster(width, height),
        js = strokeRaster(width, height, { js: true });
      wasm.stroke(long, 0, 700, 1.5);
      js.stroke(long, 0, 700, 1.5);
      expect(Array.from(wasm.image)).toEqual(Array.from(js.image));
      const plain = new Float32Array(width * height);
      strokePolyline(long, 0, 700, plain, 0, width, height, 1.5);
      expect(Array.from(plain)).toEqual(Array.from(js.image));
      expect(js.image.filter((v) => v > 0).length).toBeGreaterThan((width * height) / 2);
    }
  });

  it('strokePolyline draws into an image inside a larger array, as strokeRaster does', () => {
    const raster = strokeRaster(28, 28);
    const pts = new Float64Array([4, 4, 1.5, 20, 10, 2, 12, 24, 1]);
    raster.image.fill(0);
    raster.stroke(pts, 0, 3, 1);
    const batch = new Float32Array(3 * 784);
    strokePolyline(pts, 0, 3, batch, 784, 28, 28, 1);
    expect(Array.from(batch.subarray(784, 1568))).toEqual(Array.from(raster.image));
    expect(batch.subarray(0, 784).every((v) => v === 0) && batch.subarray(1568).every((v) => v === 0)).toBe(true);
    expect(Math.max(...raster.image)).toBe(1); // the stroke's core is full
  });

  it('hypot2 gives the bytes of Math.hypot', () => {
    const rng = new Rng('hypot');
    const values = [0, -0, 1e-300, 5e-324, 1e300, Infinity, -Infinity, NaN, 3, -4];
    for (let i = 0; i < 20000; i++) values.push(rng.uniform(-30, 30) * 10 ** rng.int(6));
    // Issue 41: this counted loop iterations (the count could not fail); it collects the pairs that differ instead.
    const differ: [number, number][] = [];
    for (let i = 0; i + 1 < values.length; i++) {
      for (const [x, y] of [
        [values[i], values[i + 1]],
        [values[i + 1], values[i]],
      ]) {
        if (!Object.is(hypot2(x, y), Math.hypot(x, y))) differ.push([x, y]);
      }
    }
    expect(differ).toEqual([]);
  });
});
