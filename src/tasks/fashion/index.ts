/**
 * fashion: procedural 28x28 images of the ten Fashion-MNIST classes, from
 * parametric silhouettes (sleeve length, collar, width, length, heel height,
 * straps, handles) with procedural texture and shading. Shoes face left, as in
 * Fashion-MNIST; garments fill the frame.
 */
import type { Rng } from '../../core/rng.js';
import { defineTask, type NumberParam, type Task, type WithClassWeights } from '../define-task.js';
import { strokePolyline } from '../digits/raster.js';
import { addPolygon } from './raster.js';
import { S, STRIDE, fashionCanvas } from './shade.js';

/** Class names in Fashion-MNIST's order. */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** The fashion task's parameters; each may be fixed or a [lo, hi] range drawn per sample. */
export type FashionParams = {
  /** Width of the item relative to the frame. */
  readonly width: NumberParam;
  /** Length (height) of garments relative to the frame. */
  readonly length: NumberParam;
  /** Sleeve length, within each top's own range (0 shortest, 1 longest). */
  readonly sleeve: NumberParam;
  /** Collar or neckline size. */
  readonly collar: NumberParam;
  /** Heel height of shoes and boot shaft height. */
  readonly heel: NumberParam;
  /** Number of sandal straps. */
  readonly straps: NumberParam;
  /** Bag handle size (0: a clutch without handle). */
  readonly handle: NumberParam;
  /** Brightness of the material. */
  readonly brightness: NumberParam;
  /** Strength of the texture (stripes, checks or noise). */
  readonly texture: NumberParam;
  /** Strength of the light falloff and folds. */
  readonly shading: NumberParam;
};

/**
 * Procedural Fashion-MNIST look-alikes: ten classes in Fashion-MNIST's order
 * ({@link FASHION_CLASSES}), 28x28x1.
 * @example
 * ```ts
 * const s = generate(fashion, { seed: 1, params: { texture: 0 } });
 * ```
 */
export const fashion: Task<WithClassWeights<FashionParams>> = makeFashion();

function makeFashion(): Task<WithClassWeights<FashionParams>> {
  const poly = new Float64Array(2 * 32);
  const line = new Float64Array(3 * 16);
  const canvas = fashionCanvas();
  const { acc, strokes, dark } = canvas;
  const grid = new Float64Array(6 * 6);
  // Each column's noise grid cell and offset in it.
  const cellX = new Int32Array(S),
    cellFx = new Float64Array(S);
  for (let x = 0; x < S; x++) {
    const gx = (x / S) * 5;
    cellX[x] = Math.floor(gx);
    cellFx[x] = gx - cellX[x];
  }
  let n = 0; // vertices in poly
  // Unit-box coordinates to pixels: the item box is `bw` x `bh` pixels, centred.
  let ox = 0,
    oy = 0,
    bw = 26,
    bh = 26;
  const v = (x: number, y: number) => {
    poly[2 * n] = ox + x * bw;
    poly[2 * n + 1] = oy + y * bh;
    n++;
  };
  const fill = () => {
    addPolygon(acc, STRIDE, poly, n, S, S);
    n = 0;
  };
  /** A stroke through (x, y) unit points with radius r pixels, into the dark-detail layer or the stroke coverage layer. */
  const stroke = (into: Float32Array, r: number, ...p: number[]) => {
    const k = p.length / 2;
    for (let i = 0; i < k; i++) {
      line[3 * i] = ox + p[2 * i] * bw;
      line[3 * i + 1] = oy + p[2 * i + 1] * bh;
      line[3 * i + 2] = r;
    }
    strokePolyline(line, 0, k, into, 0, S, S);
  };
  const frame = (w: number, h: number, top = (S - h) / 2) => {
    bw = w;
    bh = h;
    ox = (S - w) / 2;
    oy = top;
  };

  /** A top: body, sleeves at an angle, neckline. sleeve in [lo, hi] of the body height. */
  function top(width: number, length: number, sleeve: number, neck: number, flare: number): void {
    frame(26 * width, 28 * length);
    const hw = 0.3,
      sw = 0.13;
    const long = sleeve > 0.5;
    // Sleeve direction: short sleeves stick out, long ones hang down.
    const dx = long ? -0.1 : -0.75,
      dy = long ? 0.995 : 0.66;
    const sx = 0.5 - hw - 0.04,
      sy = 0.05;
    const ex = sx + dx * sleeve * (long ? 1 : 0.45),
      ey = sy + dy * sleeve * (long ? 1 : 0.45);
    const px = -dy * sw,
      py = dx * sw; // perpendicular, towards the body
    const half = [
      [0.5 - neck, 0],
      [sx, sy],
      [ex - 0.02, ey],
      [ex - px, ey - py],
      [0.5 - hw, 0.28 + (long ? 0.05 : 0)],
      [0.5 - hw - flare, 1],
    ];
    for (const [x, y] of half) v(x, y);
    for (let i = half.length - 1; i >= 0; i--) v(1 - half[i][0], half[i][1]);
    v(0.5, neck * 0.9);
    fill();
  }

  return defineTask({
    name: 'fashion',
    version: 1,
    origin: { module: 'otfgen', export: 'fashion' },
    description: 'procedural Fashion-MNIST classes',
    sampleShape: [S, S, 1],
    target: { kind: 'class', classes: 10 },
    params: {
      width: { min: 0.5, max: 1, default: [0.75, 1], description: 'item width relative to the frame' },
      length: { min: 0.5, max: 1, default: [0.9, 1], description: 'garment length relative to the frame' },
      sleeve: { min: 0, max: 1, default: [0, 1], description: 'sleeve length within each top' },
      collar: { min: 0, max: 1, default: [0, 1], description: 'collar or neckline size' },
      heel: { min: 0, max: 1, default: [0, 1], description: 'heel height, boot shaft height' },
      straps: { min: 1, max: 5, default: [1, 4], integer: true, description: 'sandal straps' },
      handle: { min: 0, max: 1, default: [0, 1], description: 'bag handle size (0: none)' },
      brightness: { min: 0.1, max: 1, default: [0.4, 1], description: 'material brightness' },
      texture: { min: 0, max: 1, default: [0, 0.4], description: 'texture strength' },
      shading: { min: 0, max: 1, default: [0, 0.4], description: 'light falloff and folds' },
    },
    // Each class's frame (size and place) and the material defaults follow real Fashion-MNIST's
    // items: their ink's mean bounding box and brightness per class (benchmarks/fashion-gaps.ts),
    // and the ink's centre of mass (imageStatistics): shoes span nearly the whole width.
    render(rng, p, out, offset, label) {
      const j = () => 0.03 * (rng.next() - 0.5); // small per-vertex irregularity
      const shoeWidth = (w: number) => 28 * (0.9 + 0.1 * w); // real shoes span 0.99 to 1.00 of the width
      switch (label) {
        case 0: // T-shirt/top: short sleeves, round neck
          top(p.width, p.length * 0.95, 0.12 + 0.22 * p.sleeve, 0.08 + 0.07 * p.collar, 0.02);
          break;
        case 2: // Pullover: long sleeves, ribbed hem
          top(p.width, p.length, 0.8 + 0.2 * p.sleeve, 0.07 + 0.05 * p.collar, 0);
          stroke(dark, 0.5, 0.22, 0.94, 0.78, 0.94);
          break;
        case 4: // Coat: long sleeves, long body, front opening and lapels
          top(p.width, 1, 0.85 + 0.15 * p.sleeve, 0.1 + 0.08 * p.collar, 0.03);
          stroke(dark, 0.45, 0.5, 0.12 + 0.1 * p.collar, 0.5, 1);
          stroke(dark, 0.45, 0.4, 0, 0.5, 0.15 + 0.12 * p.collar, 0.6, 0);
          break;
        case 6: // Shirt: collar points, button line; short or long sleeves
          top(p.width, p.length, rng.next() < 0.5 ? 0.15 + 0.2 * p.sleeve : 0.75 + 0.25 * p.sleeve, 0.07, 0.01);
          stroke(dark, 0.45, 0.38, 0, 0.5, 0.12 + 0.08 * p.collar, 0.62, 0);
          for (let k = 0; k < 4; k++) stroke(dark, 0.6, 0.5, 0.3 + 0.18 * k);
          break;
        case 1: {
          // Trouser: two legs
          frame(8 * p.width + 4, 28 * p.length);
          const gap = 0.03 + 0.03 * rng.next();
          v(0.08 + j(), 0);
          v(0.92 + j(), 0);
          v(1 + j(), 1);
          v(0.5 + gap + 0.06, 1);
          v(0.5, 0.3);
          v(0.5 - gap - 0.06, 1);
          v(0 + j(), 1);
          fill();
          break;
        }
        case 3: {
          // Dress: fitted top, flared skirt
          frame(24 * p.width, 28 * p.length);
          const flare = 0.06 + 0.2 * rng.next(),
            strap = 0.05 + 0.06 * p.collar;
          v(0.34, 0.02);
          v(0.34 + strap, 0.02);
          v(0.5, 0.1 + 0.06 * p.collar);
          v(0.66 - strap, 0.02);
          v(0.66, 0.02);
          v(0.72, 0.22);
          v(0.66, 0.36);
          v(0.5 + 0.16 + flare + j(), 1);
          v(0.5 - 0.16 - flare + j(), 1);
          v(0.34, 0.36);
          v(0.28, 0.22);
          fill();
          break;
        }
        case 5: {
          // Sandal: thin sole, straps, maybe a heel
          frame(shoeWidth(p.width), 21, 2.2);
          const heel = 0.25 * p.heel;
          v(0, 0.8 - heel * 0.3);
          v(0.7, 0.78);
          v(1, 0.72 - heel);
          v(1, 0.8 - heel);
          v(0.75, 0.88);
          v(0, 0.9 - heel * 0.3);
          fill();
          if (heel > 0.05) {
            v(0.82, 0.76 - heel);
            v(0.96, 0.74 - heel);
            v(0.95, 1);
            v(0.86, 1);
            fill();
          }
          const k = Math.round(p.straps);
          for (let i = 0; i < k; i++) {
            const x = 0.12 + (0.6 * (i + 0.5)) / k;
            stroke(strokes, 0.9, x - 0.08, 0.8, x, 0.3 - 0.1 * rng.next(), x + 0.1, 0.78);
          }
          stroke(strokes, 0.8, 0.88, 0.72 - heel, 0.84, 0.35, 0.7, 0.45);
          break;
        }
        case 7: {
          // Sneaker: low profile, sole line, laces
          frame(shoeWidth(p.width), 13 + 3 * rng.next(), 7);
          v(0, 0.95);
          v(0.01, 0.72);
          v(0.2, 0.5 + j());
          v(0.5, 0.25 + j());
          v(0.62, 0.12);
          v(0.8, 0.05 + j());
          v(0.97, 0.12);
          v(1, 0.95);
          fill();
          stroke(dark, 0.5, 0, 0.8, 1, 0.8);
          for (let i = 0; i < 4; i++) stroke(dark, 0.5, 0.3 + 0.07 * i, 0.42 - 0.07 * i, 0.36 + 0.07 * i, 0.5 - 0.07 * i);
          break;
        }
        case 9: {
          // Ankle boot: tall shaft, heel block
          const shaft = 0.25 * p.heel;
          frame(shoeWidth(p.width), 20, 4);
          v(0, 0.95);
          v(0.02, 0.72);
          v(0.3, 0.58 + j());
          v(0.46, 0.32 - shaft);
          v(0.5, 0.02);
          v(0.88, 0.02);
          v(0.9, 0.45);
          v(1, 0.6);
          v(1, 1);
          v(0.74, 1);
          v(0.7, 0.95);
          fill();
          stroke(dark, 0.5, 0.02, 0.9, 0.7, 0.9);
          break;
        }
        default: {
          // 8, Bag: body, flap, handle
          frame(26 * p.width, 18 + 4 * rng.next(), 7 - 2 * rng.next());
          const taper = 0.1 * rng.next();
          v(taper, 0.25);
          v(1 - taper, 0.25);
          v(1, 1);
          v(0, 1);
          fill();
          stroke(dark, 0.5, 0.02, 0.5, 0.98, 0.5);
          if (p.handle > 0.15) {
            const h = 0.25 + 0.3 * p.handle;
            stroke(strokes, 0.9, 0.28, 0.26, 0.3, 0.25 - h * 0.8, 0.5, 0.25 - h, 0.7, 0.25 - h * 0.8, 0.72, 0.26);
          }
          break;
        }
      }
      shade(rng, p, out, offset);
      return label;
    },
  });

  /**
   * Material: brightness x light falloff x texture, times coverage; dark
   * details on top (the per-pixel pass is canvas.shade). What depends only on
   * the column or only on the row is set up here, once per image.
   */
  function shade(rng: Rng, p: { brightness: number; texture: number; shading: number }, out: Float32Array, offset: number): void {
    const kind = rng.int(4); // 0 plain noise, 1 horizontal stripes, 2 vertical stripes, 3 checks
    const period = 2 + rng.int(4);
    for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
    const lightY = rng.next() < 0.5 ? 1 : -1;
    // Locals, not the closure's variables, in the loops: the JIT keeps them in registers.
    const { noise, cols, rows } = canvas,
      gr = grid,
      cx = cellX,
      cf = cellFx;
    // The noise grid's rows, interpolated along x at each column.
    for (let g = 0; g < 6; g++) {
      for (let x = 0; x < S; x++) noise[g * S + x] = gr[g * 6 + cx[x]] * (1 - cf[x]) + gr[g * 6 + cx[x] + 1] * cf[x];
    }
    // Stripes: the pattern is |column's parity − row's parity|, so checks where both alternate.
    for (let x = 0; x < S; x++) cols[x] = kind >= 2 ? Math.floor(x / period) & 1 : 0;
    for (let y = 0; y < S; y++) {
      const gy = (y / S) * 5,
        y0 = Math.floor(gy);
      rows[4 * y] = gy - y0;
      rows[4 * y + 1] = kind === 1 || kind === 3 ? Math.floor(y / period) & 1 : 0;
      rows[4 * y + 2] = 0.5 * (0.5 + (lightY * (y - S / 2)) / S);
      rows[4 * y + 3] = y0 * S;
    }
    canvas.shade(kind === 0 ? 1 : 0, p.brightness, p.shading, p.texture * 0.6, out, offset);
  }
}
