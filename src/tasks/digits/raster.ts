/**
 * Anti-aliased stroke rasterising into a preallocated float image: each stroke
 * is a polyline with a radius per point, drawn as the union of capsules.
 *
 * Hot path (every generated digit passes here): plain typed-array loops, no
 * allocation. Coverage of a pixel is clamp((r + soft/2 - d) / soft, 0, 1),
 * where d is the distance from the pixel centre to the segment and r the
 * radius there: a linear ramp `soft` pixels wide centred on the stroke's edge.
 * soft = 1 is the usual cheap analytic anti-aliasing; a wider ramp gives the
 * look of a blurred stroke without a blur pass over the image.
 */

/**
 * Draws the segments between points `from` .. `from + count - 1` of `pts`
 * (x, y, radius triples) into `out` (height x width at `offset`), keeping the
 * maximum coverage. A single point draws a dot.
 */
export function strokePolyline(pts: Float64Array, from: number, count: number, out: Float32Array, offset: number, width: number, height: number, soft = 1): void {
  const half = soft / 2, inv = 1 / soft;
  const last = count === 1 ? from + 1 : from + count - 1;
  for (let k = from; k < last; k++) {
    const i = k, j = count === 1 ? k : k + 1;
    const x0 = pts[3 * i], y0 = pts[3 * i + 1], r0 = pts[3 * i + 2];
    const x1 = pts[3 * j], y1 = pts[3 * j + 1], r1 = pts[3 * j + 2];
    const rMax = (r0 > r1 ? r0 : r1) + half;
    const cx0 = Math.max(0, Math.floor(Math.min(x0, x1) - rMax)), cx1 = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + rMax));
    const cy0 = Math.max(0, Math.floor(Math.min(y0, y1) - rMax)), cy1 = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + rMax));
    const dx = x1 - x0, dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    const invLen2 = len2 > 1e-12 ? 1 / len2 : 0;
    for (let py = cy0; py <= cy1; py++) {
      const ry = py + 0.5 - y0;
      const row = offset + py * width;
      for (let px = cx0; px <= cx1; px++) {
        const prev = out[row + px];
        if (prev >= 1) continue; // consecutive capsules overlap: most pixels are already full
        const rx = px + 0.5 - x0;
        let t = (rx * dx + ry * dy) * invLen2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = rx - t * dx, ey = ry - t * dy;
        const r = r0 + (r1 - r0) * t;
        const d2 = ex * ex + ey * ey;
        const reach = r + half;
        if (d2 >= reach * reach) continue;
        const inner = r - half;
        const v = inner > 0 && d2 <= inner * inner ? 1 : (reach - Math.sqrt(d2)) * inv;
        if (v > prev) out[row + px] = v;
      }
    }
  }
}
