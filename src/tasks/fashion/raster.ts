/**
 * Polygon filling with anti-aliased edges: scanlines at four sub-rows per
 * pixel row, exact horizontal coverage of each span (even-odd rule), added
 * into a coverage image clamped at 1. Hot path: no allocation per call.
 */
const SUB = 4;
const xs = new Float64Array(64);

/**
 * Fills the polygon (x, y pairs, `count` vertices, pixel units) into `cov`
 * (width x height), whose values must be in [0, 1] (as this leaves them).
 */
export function fillPolygon(poly: Float64Array, count: number, cov: Float32Array, width: number, height: number): void {
  let minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const y = poly[2 * i + 1];
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const r0 = Math.max(0, Math.floor(minY)), r1 = Math.min(height - 1, Math.ceil(maxY));
  for (let row = r0; row <= r1; row++) {
    for (let s = 0; s < SUB; s++) {
      const y = row + (s + 0.5) / SUB;
      let n = 0;
      for (let i = 0, j = count - 1; i < count; j = i++) {
        const yi = poly[2 * i + 1], yj = poly[2 * j + 1];
        if ((yi <= y) !== (yj <= y) && n < xs.length) {
          const xi = poly[2 * i], xj = poly[2 * j];
          xs[n++] = xi + ((y - yi) / (yj - yi)) * (xj - xi);
        }
      }
      // Insertion sort: a handful of crossings per scanline.
      for (let a = 1; a < n; a++) {
        const v = xs[a];
        let b = a - 1;
        for (; b >= 0 && xs[b] > v; b--) xs[b + 1] = xs[b];
        xs[b + 1] = v;
      }
      for (let k = 0; k + 1 < n; k += 2) addSpan(cov, row * width, width, xs[k], xs[k + 1]);
    }
  }
  // Clamp the rows drawn (the others were clamped by earlier calls, if any).
  for (let i = r0 * width, end = (r1 + 1) * width; i < end; i++) if (cov[i] > 1) cov[i] = 1;
}

/** Adds 1/SUB times the covered share of each pixel of the span [x0, x1) on one row. */
function addSpan(cov: Float32Array, rowStart: number, width: number, x0: number, x1: number): void {
  if (x1 <= 0 || x0 >= width) return;
  x0 = Math.max(0, x0);
  x1 = Math.min(width, x1);
  const p0 = Math.floor(x0), p1 = Math.floor(x1);
  const w = 1 / SUB;
  if (p0 === p1) {
    cov[rowStart + p0] += (x1 - x0) * w;
    return;
  }
  cov[rowStart + p0] += (p0 + 1 - x0) * w;
  for (let p = p0 + 1; p < p1; p++) cov[rowStart + p] += w;
  if (p1 < width) cov[rowStart + p1] += (x1 - p1) * w;
}
