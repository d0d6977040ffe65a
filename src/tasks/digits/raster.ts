/**
 * Anti-aliased stroke rasterising into a preallocated float image: each stroke
 * is a polyline with a radius per point, drawn as the union of capsules.
 *
 * Hot path (every generated digit passes here): plain typed-array loops, no
 * allocation. Coverage of a pixel is clamp(r + 0.5 - d, 0, 1), where d is the
 * distance from the pixel centre to the segment and r the radius there: a
 * one-pixel linear ramp, the usual cheap analytic anti-aliasing.
 */

/**
 * Draws the segments between points `from` .. `from + count - 1` of `pts`
 * (x, y, radius triples) into `out` (height x width at `offset`), keeping the
 * maximum coverage. A single point draws a dot.
 */
export function strokePolyline(pts: Float64Array, from: number, count: number, out: Float32Array, offset: number, width: number, height: number): void {
  const last = count === 1 ? from + 1 : from + count - 1;
  for (let k = from; k < last; k++) {
    const i = k, j = count === 1 ? k : k + 1;
    const x0 = pts[3 * i], y0 = pts[3 * i + 1], r0 = pts[3 * i + 2];
    const x1 = pts[3 * j], y1 = pts[3 * j + 1], r1 = pts[3 * j + 2];
    const rMax = (r0 > r1 ? r0 : r1) + 0.5;
    const cx0 = Math.max(0, Math.floor(Math.min(x0, x1) - rMax)), cx1 = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + rMax));
    const cy0 = Math.max(0, Math.floor(Math.min(y0, y1) - rMax)), cy1 = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + rMax));
    const dx = x1 - x0, dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 1e-12 ? 1 / len2 : 0;
    for (let py = cy0; py <= cy1; py++) {
      const ry = py + 0.5 - y0;
      const row = offset + py * width;
      for (let px = cx0; px <= cx1; px++) {
        const prev = out[row + px];
        if (prev >= 1) continue; // consecutive capsules overlap: most pixels are already full
        const rx = px + 0.5 - x0;
        let t = (rx * dx + ry * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = rx - t * dx, ey = ry - t * dy;
        const r = r0 + (r1 - r0) * t;
        const d2 = ex * ex + ey * ey;
        const reach = r + 0.5;
        if (d2 >= reach * reach) continue;
        const inner = r - 0.5;
        const v = inner > 0 && d2 <= inner * inner ? 1 : reach - Math.sqrt(d2);
        if (v > prev) out[row + px] = v;
      }
    }
  }
}

/**
 * Blends the image at `offset` with its 3x3 binomial blur ([1 2 1] by rows,
 * then by columns; at the border the kernel is renormalised):
 * out = (1 - amount) x + amount blur(x). `scratch` holds one image.
 * Separable, with the edges outside the inner loops: a direct 3x3 loop with a
 * bounds check per neighbour cost most of a digit's render time.
 */
export function blur3x3(img: Float32Array, offset: number, width: number, height: number, amount: number, scratch: Float32Array): void {
  if (amount <= 0) return;
  for (let y = 0; y < height; y++) {
    const row = offset + y * width, srow = y * width;
    scratch[srow] = (2 * img[row] + img[row + 1]) / 3;
    for (let x = 1; x < width - 1; x++) scratch[srow + x] = (img[row + x - 1] + 2 * img[row + x] + img[row + x + 1]) * 0.25;
    scratch[srow + width - 1] = (img[row + width - 2] + 2 * img[row + width - 1]) / 3;
  }
  const keep = 1 - amount;
  // Columns, walked row by row so reads and writes stay contiguous.
  for (let y = 0; y < height; y++) {
    const up = y > 0 ? (y - 1) * width : -1, mid = y * width, down = y < height - 1 ? (y + 1) * width : -1;
    const o = offset + mid;
    if (up >= 0 && down >= 0) {
      for (let x = 0; x < width; x++) img[o + x] = keep * img[o + x] + amount * (scratch[up + x] + 2 * scratch[mid + x] + scratch[down + x]) * 0.25;
    } else {
      const other = up >= 0 ? up : down;
      for (let x = 0; x < width; x++) img[o + x] = keep * img[o + x] + amount * ((2 * scratch[mid + x] + scratch[other + x]) / 3);
    }
  }
}
