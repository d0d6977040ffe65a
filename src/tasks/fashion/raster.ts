/**
 * Polygon coverage with exact-area anti-aliasing, by signed-area accumulation
 * (the method of font rasterisers such as font-rs): each edge adds, into an
 * accumulation row, how much it changes the covered area from one pixel to the
 * next; a running sum along each row then gives each pixel's covered area
 * (shade.ts does that sum as it shades). The cost is the edges' length in
 * pixels, instead of every edge tested on every scanline.
 *
 * Polygons are added with a positive winding whatever their vertex order, so
 * where several overlap the sum is their union (clamped at 1 when read).
 *
 * Hot path (with shading, most of the fashion task's time), so written out by
 * hand over typed arrays, with no allocation.
 */

/**
 * Adds the polygon (x, y pairs, `count` vertices, pixel units; the outline
 * closes by itself) into `acc`: `height` rows of `stride` float64s, of which
 * the first `width` are the image's columns. `stride` must be at least
 * `width + 2`: an edge at the right border adds into the two spare columns.
 * Parts outside the image are clipped.
 */
export function addPolygon(acc: Float64Array, stride: number, poly: Float64Array, count: number, width: number, height: number): void {
  // Twice the signed area (shoelace): its sign is the outline's direction.
  let area2 = 0;
  for (let i = 0, j = count - 1; i < count; j = i++) area2 += poly[2 * j] * poly[2 * i + 1] - poly[2 * i] * poly[2 * j + 1];
  const sign = area2 < 0 ? -1 : 1;
  for (let i = 0, j = count - 1; i < count; j = i++) clippedEdge(acc, stride, sign, poly[2 * j], poly[2 * j + 1], poly[2 * i], poly[2 * i + 1], width, height);
}

/**
 * The edge (x0, y0) to (x1, y1), split where it crosses x = 0 and x = width;
 * each piece is then moved onto the image's columns (a piece left of the image
 * becomes a vertical edge on its left border, which covers the whole row to its
 * right as the part outside would; a piece right of it adds nothing inside).
 */
function clippedEdge(acc: Float64Array, stride: number, sign: number, x0: number, y0: number, x1: number, y1: number, width: number, height: number): void {
  if (y0 === y1) return;
  if (x0 >= 0 && x0 <= width && x1 >= 0 && x1 <= width) return edge(acc, stride, sign, x0, y0, x1, y1, height);
  // Where the edge crosses x = 0 and x = width, as parameters along it from (x0, y0), in order.
  let ta = -1,
    tb = -1;
  if (x1 !== x0) {
    ta = -x0 / (x1 - x0);
    tb = (width - x0) / (x1 - x0);
    if (ta > tb) {
      const t = ta;
      ta = tb;
      tb = t;
    }
  }
  let px = x0,
    py = y0;
  if (ta > 0 && ta < 1) {
    const qx = x0 + ta * (x1 - x0),
      qy = y0 + ta * (y1 - y0);
    edge(acc, stride, sign, clamp(px, width), py, clamp(qx, width), qy, height);
    px = qx;
    py = qy;
  }
  if (tb > 0 && tb < 1) {
    const qx = x0 + tb * (x1 - x0),
      qy = y0 + tb * (y1 - y0);
    edge(acc, stride, sign, clamp(px, width), py, clamp(qx, width), qy, height);
    px = qx;
    py = qy;
  }
  edge(acc, stride, sign, clamp(px, width), py, clamp(x1, width), y1, height);
}

const clamp = (x: number, width: number) => (x < 0 ? 0 : x > width ? width : x);

/** Adds one edge (x within [0, width]) into the accumulation rows it crosses. */
function edge(acc: Float64Array, stride: number, sign: number, x0: number, y0: number, x1: number, y1: number, height: number): void {
  if (y0 === y1) return;
  let dir = sign;
  if (y0 > y1) {
    dir = -sign;
    let t = x0;
    x0 = x1;
    x1 = t;
    t = y0;
    y0 = y1;
    y1 = t;
  }
  const dxdy = (x1 - x0) / (y1 - y0);
  let x = x0;
  if (y0 < 0) x -= y0 * dxdy;
  const yEnd = Math.min(height, Math.ceil(y1));
  for (let y = Math.max(0, Math.floor(y0)); y < yEnd; y++) {
    const line = y * stride;
    const dy = (y + 1 < y1 ? y + 1 : y1) - (y > y0 ? y : y0);
    const xNext = x + dxdy * dy;
    const d = dy * dir;
    const xa = x < xNext ? x : xNext,
      xb = x < xNext ? xNext : x;
    const ia = Math.floor(xa),
      ib = Math.ceil(xb);
    if (ib <= ia + 1) {
      // Within one pixel: the share of the pixel right of the edge's mean x.
      const m = 0.5 * (x + xNext) - ia;
      acc[line + ia] += d - d * m;
      acc[line + ia + 1] += d * m;
    } else {
      // Across several pixels: the area right of the edge in each, a trapezoid.
      const s = 1 / (xb - xa);
      const fa = xa - ia;
      const a0 = 0.5 * s * (1 - fa) * (1 - fa);
      const fb = xb - ib + 1;
      const am = 0.5 * s * fb * fb;
      acc[line + ia] += d * a0;
      if (ib === ia + 2) acc[line + ia + 1] += d * (1 - a0 - am);
      else {
        const a1 = s * (1.5 - fa);
        acc[line + ia + 1] += d * (a1 - a0);
        for (let p = ia + 2; p < ib - 1; p++) acc[line + p] += d * s;
        const a2 = a1 + (ib - ia - 3) * s;
        acc[line + ib - 1] += d * (1 - a2 - am);
      }
      acc[line + ib] += d * am;
    }
    x = xNext;
  }
}
