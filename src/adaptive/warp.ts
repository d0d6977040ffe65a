/**
 * affineWarpTensor: the affine warp of `affineWarp` on image tensors, bilinear
 * and differentiable with respect to both the images and the warp parameters.
 *
 * Bilinear sampling gathers the four neighbours of each source point and
 * weights them by the fractional parts of its coordinates, so the gradient
 * reaches the parameters through those weights (as in spatial transformer
 * networks). Every op used has a gradient and a kernel on the cpu and wasm
 * backends (the wasm backend needs `registerWasmTrainingKernels` for the
 * images' gradient, which sums into gathered pixels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, OtfgenArgumentError, describe } from '../core/errors.js';
import { latticeWeight } from '../image/affine.js';

/** The columns of a warp-parameter tensor, in order (the fields of `AffineParams` from otfgen). */
export const AFFINE_PARAM_NAMES = ['rotation', 'scale', 'shear', 'shiftX', 'shiftY'] as const;

/** Options of {@link affineWarpTensor}. */
export interface AffineWarpTensorOptions {
  /**
   * What points outside the image read: 'zeros' (default; the MNIST
   * background, and what `affineWarp` does) or 'border' (the nearest edge pixel).
   */
  readonly padding?: 'zeros' | 'border';
  /**
   * Per-pixel displacement of the source points `[n, height, width, 2]`
   * (x then y, in pixels), e.g. from {@link elasticDisplacement}; added after the affine map.
   */
  readonly displacement?: tf.Tensor4D;
}

/**
 * A smooth displacement field `[n, height, width, 2]` from control points
 * `[n, grid, grid, 2]` (pixels) interpolated bilinearly over the image: the
 * differentiable twin of `elasticField`.
 * @example
 * ```ts
 * const field = elasticDisplacement(tf.randomUniform([n, 3, 3, 2], -2, 2), 28, 28);
 * const warped = affineWarpTensor(images, params, { displacement: field });
 * ```
 */
export function elasticDisplacement(control: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (!(control instanceof tf.Tensor) || control.rank !== 4 || control.shape[1] !== control.shape[2] || control.shape[1] < 2 || control.shape[3] !== 2) {
    throw new OtfgenArgumentError(
      'elasticDisplacement(control)',
      `expected a tensor [n, grid, grid, 2] with grid >= 2, got ${control instanceof tf.Tensor ? `shape [${control.shape}]` : describe(control)}`,
    );
  }
  const [n, grid] = control.shape;
  const g2 = grid * grid,
    p = height * width;
  const lattice = new Float32Array(g2 * p);
  for (let k = 0; k < g2; k++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) lattice[k * p + y * width + x] = latticeWeight(grid, height, width, y, x, Math.floor(k / grid), k % grid);
  return tf.tidy(() => {
    // [n, 2, g2] @ [g2, p] -> [n, 2, p] -> [n, h, w, 2]
    const perAxis = tf.transpose(tf.reshape(control, [n, g2, 2]), [0, 2, 1]);
    const field = tf.reshape(tf.matMul(tf.reshape(perAxis, [n * 2, g2]), tf.tensor2d(lattice, [g2, p])), [n, 2, p]);
    return tf.reshape(tf.transpose(field, [0, 2, 1]), [n, height, width, 2]) as tf.Tensor4D;
  });
}

/**
 * Warps a batch of images `[n, height, width, channels]` by per-image
 * parameters `[n, 5]`: rotation (degrees), scale, shear (degrees), shiftX and
 * shiftY (pixels), about the image centre: the same map as `affineWarp` from otfgen.
 * Differentiable: use it inside `tf.grad` or `tf.variableGrads`.
 * @example
 * ```ts
 * const params = tf.tensor2d([[15, 1, 0, 2, 0]]); // rotate 15°, shift 2 px right
 * const warped = affineWarpTensor(images, params);
 * ```
 */
export function affineWarpTensor(images: tf.Tensor4D, params: tf.Tensor2D, options: AffineWarpTensorOptions = {}): tf.Tensor4D {
  checkKeys('affineWarpTensor options', options, ['padding', 'displacement']);
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new OtfgenArgumentError(
      'affineWarpTensor(images)',
      `expected a rank-4 tensor [n, height, width, channels], got ${images instanceof tf.Tensor ? `shape [${images.shape}]` : describe(images)}`,
    );
  }
  const [n, h, w, c] = images.shape;
  if (!(params instanceof tf.Tensor) || params.rank !== 2 || params.shape[0] !== n || params.shape[1] !== AFFINE_PARAM_NAMES.length) {
    throw new OtfgenArgumentError(
      'affineWarpTensor(params)',
      `expected a tensor [${n}, 5] (${AFFINE_PARAM_NAMES.join(', ')}), got ${params instanceof tf.Tensor ? `shape [${params.shape}]` : describe(params)}`,
    );
  }
  const padding = options.padding ?? 'zeros';
  if (padding !== 'zeros' && padding !== 'border')
    throw new OtfgenArgumentError('affineWarpTensor options.padding', `expected 'zeros' or 'border', got ${describe(padding)}`);
  const disp = options.displacement;
  if (
    disp !== undefined &&
    (!(disp instanceof tf.Tensor) || disp.rank !== 4 || disp.shape[0] !== n || disp.shape[1] !== h || disp.shape[2] !== w || disp.shape[3] !== 2)
  ) {
    throw new OtfgenArgumentError(
      'affineWarpTensor options.displacement',
      `expected a tensor [${n}, ${h}, ${w}, 2], got ${disp instanceof tf.Tensor ? `shape [${disp.shape}]` : describe(disp)}`,
    );
  }
  return tf.tidy(() => {
    const col = (i: number) => tf.slice(params, [0, i], [n, 1]); // [n, 1]
    const rad = Math.PI / 180;
    const a = tf.mul(col(0), rad),
      s = col(1),
      shear = tf.mul(col(2), rad);
    const cos = tf.cos(a),
      sin = tf.sin(a);
    const sh = tf.div(tf.sin(shear), tf.cos(shear));
    // Forward map M = s * R(a) * Shear(sh); its inverse in closed form, as in affineWarp.
    const m00 = tf.mul(s, cos),
      m01 = tf.mul(s, tf.sub(tf.mul(cos, sh), sin));
    const m10 = tf.mul(s, sin),
      m11 = tf.mul(s, tf.add(tf.mul(sin, sh), cos));
    const det = tf.sub(tf.mul(m00, m11), tf.mul(m01, m10));
    const i00 = tf.div(m11, det),
      i01 = tf.neg(tf.div(m01, det));
    const i10 = tf.neg(tf.div(m10, det)),
      i11 = tf.div(m00, det);
    // Output pixel p = (y, x), row-major: centred coordinates, then minus the shift.
    const cy = (h - 1) / 2,
      cx = (w - 1) / 2;
    const xs = new Float32Array(h * w),
      ys = new Float32Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        xs[y * w + x] = x - cx;
        ys[y * w + x] = y - cy;
      }
    const dx = tf.sub(tf.tensor2d(xs, [1, h * w]), col(3)); // [n, p]
    const dy = tf.sub(tf.tensor2d(ys, [1, h * w]), col(4));
    let sx = tf.add(tf.add(tf.mul(i00, dx), tf.mul(i01, dy)), cx);
    let sy = tf.add(tf.add(tf.mul(i10, dx), tf.mul(i11, dy)), cy);
    if (disp) {
      const moved = tf.reshape(disp, [n, h * w, 2]);
      sx = tf.add(sx, tf.reshape(tf.slice(moved, [0, 0, 0], [n, h * w, 1]), [n, h * w]));
      sy = tf.add(sy, tf.reshape(tf.slice(moved, [0, 0, 1], [n, h * w, 1]), [n, h * w]));
    }
    if (padding === 'border') {
      sx = tf.clipByValue(sx, 0, w - 1);
      sy = tf.clipByValue(sy, 0, h - 1);
    }
    const x0 = tf.floor(sx),
      y0 = tf.floor(sy);
    const fx = tf.sub(sx, x0),
      fy = tf.sub(sy, y0);
    const gx = tf.sub(1, fx),
      gy = tf.sub(1, fy);
    // Images with a one-pixel zero frame: a neighbour outside the image, clamped onto
    // the frame, reads 0, so no mask is needed.
    const hp = h + 2,
      wp = w + 2;
    const framed = tf.reshape(
      tf.pad(images, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      [n * hp * wp, c],
    );
    // Integer coordinates carry no gradient; the gather's indices are computed off the
    // tape (on the tape tfjs would ask for an int32 gradient and reject it).
    const xs0 = x0.dataSync(),
      ys0 = y0.dataSync();
    const p = h * w;
    const index = new Int32Array(4 * n * p);
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < p; q++) {
        const k = b * p + q;
        // Framed coordinates of both neighbours along each axis, each clamped onto the frame.
        const cx0 = Math.min(Math.max(xs0[k], -1), w) + 1,
          cx1 = Math.min(Math.max(xs0[k] + 1, -1), w) + 1;
        const cy0 = Math.min(Math.max(ys0[k], -1), h) + 1,
          cy1 = Math.min(Math.max(ys0[k] + 1, -1), h) + 1;
        const base = b * hp * wp;
        index[k] = base + cy0 * wp + cx0;
        index[n * p + k] = base + cy0 * wp + cx1;
        index[2 * n * p + k] = base + cy1 * wp + cx0;
        index[3 * n * p + k] = base + cy1 * wp + cx1;
      }
    }
    const pixels = tf.reshape(tf.gather(framed, tf.tensor1d(index, 'int32')), [4, n, p, c]);
    const weights = tf.expandDims(tf.stack([tf.mul(gx, gy), tf.mul(fx, gy), tf.mul(gx, fy), tf.mul(fx, fy)]), 3); // [4, n, p, 1]
    const out = tf.sum(tf.mul(pixels, weights), 0);
    return tf.reshape(out, [n, h, w, c]) as tf.Tensor4D;
  });
}
