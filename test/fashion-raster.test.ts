import { describe, expect, it } from 'vitest';
import { addPolygon } from '../src/tasks/fashion/raster.js';
import { S, STRIDE, fashionCanvas, type FashionCanvas } from '../src/tasks/fashion/shade.js';
import { Rng } from '../src/core/rng.js';

/** The polygon's area (shoelace formula), whatever its orientation. */
function area(poly: number[]): number {
  let a = 0;
  for (let i = 0, n = poly.length / 2, j = n - 1; i < n; j = i++) a += poly[2 * j] * poly[2 * i + 1] - poly[2 * i] * poly[2 * j + 1];
  return Math.abs(a) / 2;
}

/** The canvas's coverage of the polygons: shading with brightness 1 and no light, texture or dark details gives it as is. */
function coverage(canvas: FashionCanvas, ...polys: number[][]): Float32Array {
  for (const p of polys) addPolygon(canvas.acc, STRIDE, Float64Array.from(p), p.length / 2, S, S);
  const out = new Float32Array(S * S);
  canvas.shade(0, 1, 0, 0, out, 0);
  return out;
}
const total = (img: Float32Array) => img.reduce((a, v) => a + v, 0);

/** A convex polygon: k points around (cx, cy) at radius r, in either direction. */
function convex(rng: Rng, cx: number, cy: number, r: number): number[] {
  const k = 3 + rng.int(8),
    start = rng.uniform(0, 2 * Math.PI),
    dir = rng.next() < 0.5 ? 1 : -1;
  const angles = Array.from({ length: k }, () => rng.uniform(0, 2 * Math.PI)).sort((a, b) => a - b);
  return angles.flatMap((a) => [cx + r * Math.cos(start + dir * a), cy + r * Math.sin(start + dir * a)]);
}

describe('fashion polygon coverage', () => {
  it('covers exactly the polygon area, each pixel in [0, 1], whatever the orientation', () => {
    const canvas = fashionCanvas();
    const rng = new Rng('fashion-raster/area');
    for (let round = 0; round < 200; round++) {
      const r = rng.uniform(0.3, 12);
      const p = convex(rng, rng.uniform(r, S - r), rng.uniform(r, S - r), r); // inside the frame
      const img = coverage(canvas, p);
      expect(total(img)).toBeCloseTo(area(p), 3);
      expect(img.every((v) => v >= 0 && v <= 1)).toBe(true);
      const reversed = Array.from({ length: p.length / 2 }, (_, i) => p.slice(p.length - 2 * i - 2, p.length - 2 * i)).flat();
      expect(Array.from(coverage(canvas, reversed))).toEqual(Array.from(img).map((v) => expect.closeTo(v, 6)));
    }
  });

  it('fills whole pixels inside and none outside a rectangle on pixel edges', () => {
    const img = coverage(fashionCanvas(), [5, 3, 17, 3, 17, 11, 5, 11]);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) expect(img[y * S + x]).toBe(x >= 5 && x < 17 && y >= 3 && y < 11 ? 1 : 0);
  });

  it('clips what lies outside the frame, on every side', () => {
    const canvas = fashionCanvas();
    // Left and top: the part inside is 10 x 5 and 4 x 6; right and bottom: 3 x 4 and 6 x 2.
    expect(total(coverage(canvas, [-5, 3, 10, 3, 10, 8, -5, 8]))).toBeCloseTo(50, 4);
    expect(total(coverage(canvas, [2, -9, 6, -9, 6, 6, 2, 6]))).toBeCloseTo(24, 4);
    expect(total(coverage(canvas, [25, 1, 40, 1, 40, 5, 25, 5]))).toBeCloseTo(12, 4);
    expect(total(coverage(canvas, [10, 26, 16, 26, 16, 31, 10, 31]))).toBeCloseTo(12, 4);
    // A slanted edge crossing both side borders: of the triangle (-10, 0), (38, 24), (-10, 24), the frame
    // holds the part below the edge (y = 5 at x = 0, y = 19 at x = 28) and above y = 24: 28 · 24 − 28 · (5 + 19) / 2.
    expect(total(coverage(canvas, [-10, 0, 38, 24, -10, 24]))).toBeCloseTo(28 * 24 - 28 * 12, 3);
    expect(total(coverage(canvas, [30, 2, 40, 2, 35, 20]))).toBe(0); // wholly right of the frame
  });

  it('overlapping polygons give their union, whichever way each is drawn', () => {
    const canvas = fashionCanvas();
    const a = [4, 4, 14, 4, 14, 14, 4, 14]; // 100
    const b = [24, 9, 9, 9, 9, 24, 24, 24]; // 225, drawn the other way round; overlap 5 x 5
    expect(total(coverage(canvas, a, b))).toBeCloseTo(100 + 225 - 25, 4);
    expect(Math.max(...coverage(canvas, a, b))).toBe(1);
  });

  it('the WebAssembly pass shades the same bytes as the JS pass, and clears every layer', () => {
    const wasm = fashionCanvas(),
      js = fashionCanvas({ js: true });
    expect(wasm.kind).toBe('wasm'); // Node 20 has WebAssembly
    expect(js.kind).toBe('js');
    // V8 first runs WebAssembly from a quick baseline compile and swaps in optimised code once a function is
    // hot: make it hot, so that the comparison below runs (at least mostly) the optimised code users get.
    const scratch = new Float32Array(S * S);
    for (let i = 0; i < 3000; i++) wasm.shade(1, 1, 1, 1, scratch, 0);
    const rng = new Rng('fashion-raster/shade');
    let lit = 0;
    for (let round = 0; round < 100; round++) {
      const polys = Array.from({ length: 1 + rng.int(3) }, () => convex(rng, rng.uniform(-4, 32), rng.uniform(-4, 32), rng.uniform(1, 16)));
      const layers = {
        strokes: new Float32Array(S * S),
        dark: new Float32Array(S * S),
        noise: new Float64Array(6 * S),
        cols: new Float64Array(S),
        rows: new Float64Array(4 * S),
      };
      for (let i = 0; i < S * S; i++) {
        if (rng.next() < 0.1) layers.strokes[i] = rng.next();
        if (rng.next() < 0.1) layers.dark[i] = rng.next();
      }
      layers.noise.forEach((_, i) => (layers.noise[i] = rng.next()));
      layers.cols.forEach((_, i) => (layers.cols[i] = rng.int(2)));
      for (let y = 0; y < S; y++) layers.rows.set([rng.next(), rng.int(2), rng.uniform(0, 0.5), S * Math.min(4, Math.floor((y * 5) / S))], 4 * y);
      const args = [rng.int(2), rng.uniform(0.1, 1.2), rng.uniform(0, 1.5), rng.uniform(0, 0.6)] as const;
      const outs = [wasm, js].map((c) => {
        for (const p of polys) addPolygon(c.acc, STRIDE, Float64Array.from(p), p.length / 2, S, S);
        for (const key of ['strokes', 'dark', 'noise', 'cols', 'rows'] as const) c[key].set(layers[key]);
        const out = new Float32Array(3 * S * S).fill(0.5);
        c.shade(...args, out, S * S);
        expect([c.acc, c.strokes, c.dark].every((layer) => layer.every((v) => v === 0))).toBe(true);
        return out;
      });
      expect(outs[0]).toEqual(outs[1]);
      expect(outs[0].subarray(0, S * S).every((v) => v === 0.5) && outs[0].subarray(2 * S * S).every((v) => v === 0.5)).toBe(true); // only its image written
      const img = outs[1].subarray(S * S, 2 * S * S);
      expect(img.every((v) => v >= 0 && v <= 1 && !Object.is(v, -0))).toBe(true);
      lit += img.filter((v) => v > 0).length;
    }
    expect(lit).toBeGreaterThan(10000);
  });
});
