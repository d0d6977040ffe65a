/**
 * Affine warps of single-channel images on the CPU: rotation, scale, shear and
 * translation about the image centre, bilinear, zero outside the image (the
 * MNIST background). Hot path: plain typed-array code, no allocation.
 */

/** A warp's parameters. Angles in degrees, shifts in pixels. */
export interface AffineParams {
  rotation: number;
  scale: number;
  /** Horizontal shear angle. */
  shear: number;
  shiftX: number;
  shiftY: number;
}

/**
 * Writes `src` (height x width, row-major) warped by `p` into `out` at `offset`.
 * Each output pixel samples the source at the inverse-mapped point.
 */
export function affineWarp(src: ArrayLike<number>, srcOffset: number, height: number, width: number, p: AffineParams, out: Float32Array, offset: number): void {
  const a = (p.rotation * Math.PI) / 180;
  const sh = Math.tan((p.shear * Math.PI) / 180);
  const cos = Math.cos(a), sin = Math.sin(a);
  // Forward map: M = R(a) * Shear(sh) * s; inverse computed in closed form.
  const m00 = p.scale * cos, m01 = p.scale * (cos * sh - sin);
  const m10 = p.scale * sin, m11 = p.scale * (sin * sh + cos);
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
  const cy = (height - 1) / 2, cx = (width - 1) / 2;
  for (let y = 0; y < height; y++) {
    const dy = y - cy - p.shiftY;
    for (let x = 0; x < width; x++) {
      const dx = x - cx - p.shiftX;
      const sx = i00 * dx + i01 * dy + cx;
      const sy = i10 * dx + i11 * dy + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      let v = 0;
      if (x0 >= -1 && x0 < width && y0 >= -1 && y0 < height) {
        const base = srcOffset + y0 * width + x0;
        const inX0 = x0 >= 0, inX1 = x0 + 1 < width, inY0 = y0 >= 0, inY1 = y0 + 1 < height;
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
