/**
 * Training kernels for the tfjs wasm backend, built from kernels it already
 * has (Conv2D through XNNPACK, Transpose, Reverse, PadV2, Reshape, Slice).
 *
 * The wasm backend ships no Conv2DBackpropFilter, so conv nets cannot train on
 * it, and its Conv2DBackpropInput is a plain loop several times slower than the
 * forward conv. Both gradients of a convolution are themselves convolutions:
 *
 *  - dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]:
 *    a conv2d of x transposed to [Cin, H, W, N] with dy transposed to
 *    [OH, OW, N, Cout] as the filter, dilated by the stride, giving [Cin, KH, KW, Cout].
 *  - dx: a stride-1 conv2d of dy (zeros inserted between rows and columns
 *    when the stride is above 1) with the filter flipped in space and its
 *    channels swapped, padded so the output is x's size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OtfgenBackendError } from '../core/errors.js';

type Info = tf.TensorInfo;
type Backend = tf.KernelBackend & { disposeData(id: tf.DataId, force?: boolean): boolean };
type Kernel = (args: { inputs: Record<string, Info>; backend: Backend; attrs?: Record<string, unknown> }) => Info;

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/** Kernels of the wasm backend we build on, looked up once it is registered. */
function wasmKernel(name: string): Kernel {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new OtfgenBackendError(`the wasm backend has no '${name}' kernel; is @tensorflow/tfjs-backend-wasm 4.x loaded?`);
  return k.kernelFunc as unknown as Kernel;
}

/** Refuses what these kernels do not compute, naming kernel and attribute, rather than answer wrongly. */
function checkAttrs(kernel: string, attrs: ConvAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new OtfgenBackendError(`${kernel} on wasm (otfgen): dataFormat '${attrs.dataFormat}' is not supported; use 'NHWC' (channelsLast)`);
  }
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) {
    throw new OtfgenBackendError(`${kernel} on wasm (otfgen): dilations ${JSON.stringify(d)} are not supported; only 1`);
  }
}

/** Runs kernels, disposing every intermediate it made when done. */
class Scratch {
  private made: Info[] = [];
  constructor(readonly backend: Backend) {}
  run(kernel: Kernel, inputs: Record<string, Info>, attrs?: Record<string, unknown>): Info {
    const out = kernel({ inputs, backend: this.backend, attrs });
    this.made.push(out);
    return out;
  }
  /** Disposes everything but `keep`. */
  done(keep: Info): Info {
    for (const t of this.made) if (t !== keep) this.backend.disposeData(t.dataId);
    return keep;
  }
  /** Like `done`, after checking `out` has the shape the kernel must return (else nothing is kept). */
  finish(out: Info, want: number[], kernel: string): Info {
    if (out.shape.join() !== want.join()) {
      this.done(out);
      this.backend.disposeData(out.dataId);
      throw new OtfgenBackendError(`${kernel} on wasm (otfgen): computed shape [${out.shape}] where [${want}] was due; please report this`);
    }
    return this.done(out);
  }
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * `dy` cut to the convolution's own output size, as the cpu kernel reads it:
 * a `dy` larger than the output (conv2dTranspose with 'same' padding can hand
 * one over) contributes only its first outHeight x outWidth positions.
 */
function dyOfConv(s: Scratch, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const [n, h, w, c] = dy.shape;
  if (h === info.outHeight && w === info.outWidth) return dy;
  if (h < info.outHeight || w < info.outWidth) {
    throw new OtfgenBackendError(`conv2d gradient on wasm (otfgen): dy is ${h}x${w}, smaller than the convolution's ${info.outHeight}x${info.outWidth} output`);
  }
  return s.run(wasmKernel('Slice'), { x: dy }, { begin: [0, 0, 0, 0], size: [n, info.outHeight, info.outWidth, c] });
}

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: { x: Info; dy: Info }; backend: Backend; attrs: ConvAttrs }): Info {
  checkAttrs('Conv2DBackpropFilter', attrs);
  const { x } = inputs;
  const filterShape = attrs.filterShape!;
  const info = convInfo(x.shape, filterShape, attrs);
  const [kh, kw, cin, cout] = filterShape;
  const [n, h, w] = x.shape;
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const s = new Scratch(backend);
  const dy = dyOfConv(s, inputs.dy, info);
  const transpose = wasmKernel('Transpose');
  // Rows/columns of padding after the input so that exactly kh x kw outputs come out;
  // negative when the forward conv never read the last rows (then they are cut).
  const bottom = kh + (oh - 1) * info.strideHeight - h - top;
  const right = kw + (ow - 1) * info.strideWidth - w - left;
  let xt = s.run(transpose, { x }, { perm: [3, 1, 2, 0] }); // [Cin, H, W, N]
  if (bottom < 0 || right < 0) {
    xt = s.run(wasmKernel('Slice'), { x: xt }, { begin: [0, 0, 0, 0], size: [cin, h + Math.min(bottom, 0), w + Math.min(right, 0), n] });
  }
  const dyt = s.run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Cout]
  const dwT = s.run(
    wasmKernel('Conv2D'),
    { x: xt, filter: dyt },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, Math.max(bottom, 0)],
        [left, Math.max(right, 0)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  ); // [Cin, KH, KW, Cout]
  const dw = s.run(transpose, { x: dwT }, { perm: [1, 2, 0, 3] });
  return s.finish(dw, [kh, kw, cin, cout], 'Conv2DBackpropFilter');
}

function conv2DBackpropInput({ inputs, backend, attrs }: { inputs: { dy: Info; filter: Info }; backend: Backend; attrs: ConvAttrs }): Info {
  checkAttrs('Conv2DBackpropInput', attrs);
  const { filter } = inputs;
  const inputShape = attrs.inputShape!;
  const [kh, kw, cin, cout] = filter.shape;
  const info = convInfo(inputShape, filter.shape, attrs);
  const [n, h, w] = inputShape;
  const { outHeight: oh, outWidth: ow } = info;
  const sh = info.strideHeight,
    sw = info.strideWidth;
  const s = new Scratch(backend);
  const dy = dyOfConv(s, inputs.dy, info);
  let g = dy;
  if (sh > 1 || sw > 1) {
    // Zeros between rows and columns: [N, OH, 1, OW, 1, C] padded to [N, OH, sh, OW, sw, C].
    const r6 = s.run(wasmKernel('Reshape'), { x: dy }, { shape: [n, oh, 1, ow, 1, cout] });
    const p6 = s.run(
      wasmKernel('PadV2'),
      { x: r6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    g = s.run(wasmKernel('Reshape'), { x: p6 }, { shape: [n, oh * sh, ow * sw, cout] });
  }
  const gh = g.shape[1],
    gw = g.shape[2];
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  let bottom = h - gh - top + kh - 1;
  let right = w - gw - left + kw - 1;
  if (top < 0 || left < 0) {
    // Padding wider than the kernel: rare; the built-in kernel handles it (given dy cut to the output, whose size it takes from dy).
    const out = builtinBackpropInput({ inputs: { dy, filter }, backend, attrs: attrs as unknown as Record<string, unknown> });
    s.done(out); // frees every scratch tensor, dy's cut included
    return out;
  }
  if (bottom < 0 || right < 0) {
    g = s.run(wasmKernel('Slice'), { x: g }, { begin: [0, 0, 0, 0], size: [n, gh + Math.min(bottom, 0), gw + Math.min(right, 0), cout] });
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const flipped = s.run(wasmKernel('Reverse'), { x: filter }, { dims: [0, 1] });
  const swapped = s.run(wasmKernel('Transpose'), { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Cout, Cin]
  const dx = s.run(
    wasmKernel('Conv2D'),
    { x: g, filter: swapped },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  return s.finish(dx, [n, h, w, cin], 'Conv2DBackpropInput');
}

type HeapBackend = Backend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
};

/**
 * MaxPoolGrad in one pass: for each pooling window, find the first strict
 * maximum in row-major order (the cpu backend's rule, which matters after a
 * ReLU where whole windows are 0), and add dy there. The wasm backend's own
 * kernel revisits every window once per input pixel it covers; this loop over
 * the wasm heap touches each window once (hot path: plain typed-array code).
 */
function maxPoolGrad({ inputs, backend, attrs }: { inputs: { dy: Info; input: Info }; backend: HeapBackend; attrs: Record<string, any> }): Info {
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const out = backend.typedArrayFromHeap(dx);
  const xv = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  out.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const rowX = inWidth * ch,
    imgX = inHeight * rowX;
  const rowY = outWidth * ch,
    imgY = outHeight * rowY;
  const best = new Float32Array(ch);
  const at = new Int32Array(ch);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const r0 = Math.max(0, oy * strideHeight - top),
        r1 = Math.min(inHeight, oy * strideHeight - top + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const c0 = Math.max(0, ox * strideWidth - left),
          c1 = Math.min(inWidth, ox * strideWidth - left + filterWidth);
        if (r0 >= r1 || c0 >= c1) continue;
        // The window's first pixel starts each channel's maximum; channels innermost
        // keeps reads contiguous while the scan order per channel stays row-major.
        const first = b * imgX + r0 * rowX + c0 * ch;
        for (let d = 0; d < ch; d++) {
          best[d] = xv[first + d];
          at[d] = first + d;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = r === r0 ? c0 + 1 : c0; c < c1; c++) {
            const base = b * imgX + r * rowX + c * ch;
            for (let d = 0; d < ch; d++) {
              const v = xv[base + d];
              if (v > best[d]) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        const yBase = b * imgY + oy * rowY + ox * ch;
        for (let d = 0; d < ch; d++) out[at[d]] += g[yBase + d];
      }
    }
  }
  return dx;
}

/**
 * BatchMatMul with transposeA/transposeB set: the wasm kernel's transposed
 * path ran ~20x slower than the plain one here (1.7 ms for a 64x64 by 64x400
 * product), and dense-layer gradients always use it. Transposing first (a
 * copy of one operand) and multiplying plainly gives the same sums.
 */
function batchMatMul({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: Info; b: Info };
  backend: Backend;
  attrs: { transposeA: boolean; transposeB: boolean };
}): Info {
  if (!attrs.transposeA && !attrs.transposeB) return builtinMatMul({ inputs, backend, attrs });
  const s = new Scratch(backend);
  const t = (x: Info) => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return s.run(wasmKernel('Transpose'), { x }, { perm });
  };
  const a = attrs.transposeA ? t(inputs.a) : inputs.a;
  const b = attrs.transposeB ? t(inputs.b) : inputs.b;
  return s.done(s.run(builtinMatMul, { a, b }, { ...attrs, transposeA: false, transposeB: false }));
}

/**
 * UnsortedSegmentSum, which the wasm backend lacks: the gradient of a gather
 * (e.g. of affineWarpTensor's images) sums into the gathered rows. One pass
 * over the wasm heap (hot path: plain typed-array code).
 */
function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: { x: Info; segmentIds: Info }; backend: HeapBackend; attrs: { numSegments: number } }): Info {
  const { x, segmentIds } = inputs;
  const rows = x.shape[0];
  const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([attrs.numSegments, ...x.shape.slice(1)], 'float32');
  const o = backend.typedArrayFromHeap(out);
  const xv = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds) as unknown as Int32Array;
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= attrs.numSegments) continue; // TensorFlow drops out-of-range ids
    for (let k = 0; k < inner; k++) o[s * inner + k] += xv[r * inner + k];
  }
  return out;
}

/**
 * GatherV2 along axis 0 (rows of a tensor by index): the wasm kernel computes
 * each element's source through a general strided index, about 250 ns an
 * element here, which made gathers most of affineWarpTensor's time; copying
 * whole rows over the wasm heap cut the gathers of one warp of 64 images from
 * 21 to 3 ms. Other axes use the original.
 */
function gatherV2(args: { inputs: { x: Info; indices: Info }; backend: HeapBackend; attrs: { axis: number; batchDims: number } }): Info {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  if ((attrs.axis !== 0 && attrs.axis !== -x.shape.length) || attrs.batchDims !== 0 || x.dtype !== 'float32') return builtinGather(args);
  const rows = x.shape[0];
  const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
  const o = backend.typedArrayFromHeap(out);
  const xv = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(indices) as unknown as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i];
    if (r < 0 || r >= rows) throw new Error(`GatherV2: index ${r} is not in [0, ${rows - 1}]`);
    if (inner === 1) o[i] = xv[r];
    else o.set(xv.subarray(r * inner, (r + 1) * inner), i * inner);
  }
  return out;
}

/**
 * The wasm backend's own kernels that ours fall back to, by kernel name. tfjs
 * keeps its kernel registry on the global object, so it outlives this module:
 * a second copy of otfgen (two bundles, a reloaded module) finds our kernels
 * registered already. The originals are kept beside that registry, so every
 * copy falls back to tfjs's kernel, never to another copy of ours.
 */
const BUILTINS = Symbol.for('otfgen.wasmBuiltinKernels');
function builtins(): Map<string, tf.KernelConfig | undefined> {
  const g = globalThis as { [BUILTINS]?: Map<string, tf.KernelConfig | undefined> };
  return (g[BUILTINS] ??= new Map());
}
function builtin(name: string): Kernel {
  const k = builtins().get(name)?.kernelFunc;
  if (!k) throw new OtfgenBackendError(`the wasm backend has no '${name}' kernel of its own to fall back to; is @tensorflow/tfjs-backend-wasm 4.x loaded?`);
  return k as unknown as Kernel;
}
const builtinGather: Kernel = (args) => builtin('GatherV2')(args);
const builtinMatMul: Kernel = (args) => builtin('BatchMatMul')(args);
const builtinBackpropInput: Kernel = (args) => builtin('Conv2DBackpropInput')(args);

const OURS: Readonly<Record<(typeof WASM_TRAINING_KERNELS)[number], unknown>> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  BatchMatMul: batchMatMul,
  UnsortedSegmentSum: unsortedSegmentSum,
  GatherV2: gatherV2,
};

/** The kernels {@link registerWasmTrainingKernels} adds or replaces on the wasm backend. */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'UnsortedSegmentSum', 'GatherV2'] as const;

/**
 * Registers otfgen's training kernels on the wasm backend (idempotent). Call
 * after importing `@tensorflow/tfjs-backend-wasm`; `selectBackend` does it
 * for you.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'otfgen';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmTrainingKernels(): void {
  if (!tf.findBackendFactory('wasm')) {
    throw new OtfgenBackendError("the wasm backend is not loaded: import '@tensorflow/tfjs-backend-wasm' first (npm install @tensorflow/tfjs-backend-wasm)");
  }
  const kept = builtins();
  for (const kernelName of WASM_TRAINING_KERNELS) {
    const kernelFunc = OURS[kernelName];
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue; // registered by this copy already
    // The first registration meets tfjs's own kernel (or none): that is the fallback.
    if (!kept.has(kernelName)) kept.set(kernelName, current);
    if (current) tf.unregisterKernel(kernelName, 'wasm');
    // A replaced kernel keeps the original's setupFunc (its wasm bindings), which
    // the backend runs when it initialises.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc, setupFunc: kept.get(kernelName)?.setupFunc });
  }
}
