/**
 * Affine warps of single-channel images on the CPU: rotation, scale, shear and
 * translation about the image centre, bilinear, zero outside the image (the
 * MNIST background). Hot path: plain typed-array code, no allocation.
 */

/** A warp's parameters. Angles in degrees, shifts in pixels. */
export interface AffineParams {
  /** About the image centre; positive turns clockwise on screen (y points down). */
  rotation: number;
  /** Size factor about the centre: 1 leaves the size, above 1 enlarges. */
  scale: number;
  /** Horizontal shear angle. */
  shear: number;
  /** Moves the content right (positive) or left, after the rest. */
  shiftX: number;
  /** Moves the content down (positive) or up, after the rest. */
  shiftY: number;
}

/**
 * A smooth displacement field: per output pixel, how far (in pixels) its
 * source point moves in x and y. Made by {@link elasticField}.
 * @inline
 */
export interface Displacement {
  /** x offset of each output pixel's source point, height × width, row-major. */
  readonly dx: Float32Array;
  /** y offset of each output pixel's source point, height × width, row-major. */
  readonly dy: Float32Array;
}

/**
 * Weight of control point (i, j) of a grid x grid lattice at pixel (y, x): the
 * lattice spans the image corner to corner and is interpolated bilinearly.
 * elasticDisplacement builds its matrix from it; elasticField computes the
 * same weights inline (hot path), and a test checks that the two fields agree.
 */
export function latticeWeight(grid: number, height: number, width: number, y: number, x: number, i: number, j: number): number {
  const u = (y / Math.max(1, height - 1)) * (grid - 1),
    v = (x / Math.max(1, width - 1)) * (grid - 1);
  return Math.max(0, 1 - Math.abs(u - i)) * Math.max(0, 1 - Math.abs(v - j));
}

/**
 * Fills `field` with a random elastic displacement: each control point of a
 * grid x grid lattice moves by up to `amplitude` pixels in x and y, uniformly,
 * and pixels in between follow bilinearly. Hot path: no allocation.
 */
export function elasticField(
  rng: { next(): number },
  amplitude: number,
  grid: number,
  height: number,
  width: number,
  control: Float64Array,
  field: Displacement,
): void {
  const g2 = grid * grid;
  for (let k = 0; k < 2 * g2; k++) control[k] = amplitude * (2 * rng.next() - 1);
  latticeField(control, 0, 'planes', grid, height, width, 1, field);
}

/**
 * Fills `field` with the displacement of a grid x grid lattice of control
 * point moves (pixels) read from `control` at `offset`, times `scale`, pixels
 * in between following bilinearly. `layout` says how the moves are stored:
 * 'planes' (all x moves, then all y moves: elasticField's) or 'pairs' (x and y
 * of each point side by side: a `[grid, grid, 2]` tensor's, as
 * `elasticDisplacement` takes and `learnDeformations` makes). Hot path: no allocation.
 */
export function latticeField(
  control: ArrayLike<number>,
  offset: number,
  layout: 'planes' | 'pairs',
  grid: number,
  height: number,
  width: number,
  scale: number,
  field: Displacement,
): void {
  const g2 = grid * grid;
  // Where point k's x and y moves are: planes keep them g2 apart, pairs side by side.
  const step = layout === 'pairs' ? 2 : 1,
    yAt = layout === 'pairs' ? 1 : g2;
  for (let y = 0; y < height; y++) {
    const u = (y / Math.max(1, height - 1)) * (grid - 1);
    const i0 = Math.min(grid - 2, Math.floor(u)),
      fu = u - i0;
    for (let x = 0; x < width; x++) {
      const v = (x / Math.max(1, width - 1)) * (grid - 1);
      const j0 = Math.min(grid - 2, Math.floor(v)),
        fv = v - j0;
      const a = (1 - fu) * (1 - fv),
        b = (1 - fu) * fv,
        c = fu * (1 - fv),
        d = fu * fv;
      const k00 = offset + (i0 * grid + j0) * step,
        k01 = k00 + step,
        k10 = k00 + grid * step,
        k11 = k10 + step;
      field.dx[y * width + x] = scale * (a * control[k00] + b * control[k01] + c * control[k10] + d * control[k11]);
      field.dy[y * width + x] = scale * (a * control[k00 + yAt] + b * control[k01 + yAt] + c * control[k10 + yAt] + d * control[k11 + yAt]);
    }
  }
}

/**
 * Writes `src` (height x width, row-major) warped by `p` into `out` at `offset`.
 * Each output pixel samples the source at the inverse-mapped point, moved by
 * `field` when given.
 */
export function affineWarp(
  src: ArrayLike<number>,
  srcOffset: number,
  height: number,
  width: number,
  p: AffineParams,
  out: Float32Array,
  offset: number,
  field?: Displacement,
): void {
  const a = (p.rotation * Math.PI) / 180;
  const sh = Math.tan((p.shear * Math.PI) / 180);
  const cos = Math.cos(a),
    sin = Math.sin(a);
  // Forward map: M = R(a) * Shear(sh) * s; inverse computed in closed form.
  const m00 = p.scale * cos,
    m01 = p.scale * (cos * sh - sin);
  const m10 = p.scale * sin,
    m11 = p.scale * (sin * sh + cos);
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det,
    i01 = -m01 / det,
    i10 = -m10 / det,
    i11 = m00 / det;
  const cy = (height - 1) / 2,
    cx = (width - 1) / 2;
  for (let y = 0; y < height; y++) {
    const dy = y - cy - p.shiftY;
    for (let x = 0; x < width; x++) {
      const dx = x - cx - p.shiftX;
      let sx = i00 * dx + i01 * dy + cx;
      let sy = i10 * dx + i11 * dy + cy;
      if (field) {
        sx += field.dx[y * width + x];
        sy += field.dy[y * width + x];
      }
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      let v = 0;
      if (x0 >= -1 && x0 < width && y0 >= -1 && y0 < height) {
        const base = srcOffset + y0 * width + x0;
        const inX0 = x0 >= 0,
          inX1 = x0 + 1 < width,
          inY0 = y0 >= 0,
          inY1 = y0 + 1 < height;
        const v00 = inX0 && inY0 ? src[base] : 0;
        const v01 = inX1 && inY0 ? src[base + 1] : 0;
        const v10 = inX0 && inY1 ? src[base + width] : 0;
        const v11 = inX1 && inY1 ? src[base + width + 1] : 0;
        v = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
      }
      out[offset + y * width + x] = v;
    }
  }
}
