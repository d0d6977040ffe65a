/**
 * IDX, the MNIST file format: parse and write, browser-safe. Every check runs
 * on the header before any data is allocated.
 */
import { OtfgenArgumentError, OtfgenFileError } from '../core/errors.js';

/** IDX element types and their codes in the file header. */
export const IDX_TYPES = {
  /** Unsigned bytes, as MNIST's images and labels. */
  uint8: 0x08,
  /** Signed bytes. */
  int8: 0x09,
  /** Big-endian 16-bit integers. */
  int16: 0x0b,
  /** Big-endian 32-bit integers. */
  int32: 0x0c,
  /** Big-endian 32-bit floats. */
  float32: 0x0d,
  /** Big-endian 64-bit floats. */
  float64: 0x0e,
} as const;
/** An IDX element type's name. */
export type IdxType = keyof typeof IDX_TYPES;

const BYTES: Record<IdxType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };
const BY_CODE = new Map<number, IdxType>(Object.entries(IDX_TYPES).map(([k, v]) => [v, k as IdxType]));

/** The typed array an IDX element type is decoded into. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array. */
export interface IdxArray {
  /** The element type from the header. */
  readonly type: IdxType;
  /** The dimensions from the header, e.g. [60000, 28, 28]. */
  readonly shape: readonly number[];
  /** The elements, row-major, `prod(shape)` of them. */
  readonly data: IdxData;
}

/** The header of an IDX file. */
export interface IdxHeader {
  /** The element type. */
  readonly type: IdxType;
  /** The dimensions. */
  readonly shape: readonly number[];
  /** Bytes before the data. */
  readonly headerBytes: number;
  /** Bytes of data the header announces. */
  readonly dataBytes: number;
}

/**
 * Reads and checks an IDX header: magic number, type code, dimensions. `name`
 * is used in errors (a file path, say). `totalBytes`, when known, must match.
 */
export function parseIdxHeader(head: Uint8Array, name: string, totalBytes?: number): IdxHeader {
  if (head.length < 4) throw new OtfgenFileError(name, `not an IDX file: ${head.length} bytes, a header needs at least 4`);
  if (head[0] !== 0 || head[1] !== 0) {
    const gz = head[0] === 0x1f && head[1] === 0x8b ? ' (it looks gzipped: decompress it first, or use readIdx which does)' : '';
    throw new OtfgenFileError(name, `not an IDX file: magic number must start with two zero bytes, found 0x${hex(head[0])} 0x${hex(head[1])}${gz}`);
  }
  const type = BY_CODE.get(head[2]);
  if (!type) throw new OtfgenFileError(name, `unknown IDX type code 0x${hex(head[2])}; expected one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e`);
  const ndims = head[3];
  if (ndims === 0) throw new OtfgenFileError(name, 'IDX header declares 0 dimensions; expected at least 1');
  const headerBytes = 4 + 4 * ndims;
  if (head.length < headerBytes) throw new OtfgenFileError(name, `truncated header: ${ndims} dimensions need ${headerBytes} bytes, file has ${head.length}`);
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  const dataBytes = count * BYTES[type];
  if (!Number.isSafeInteger(dataBytes) || dataBytes > 2 ** 32) {
    throw new OtfgenFileError(name, `header dimensions [${shape.join(', ')}] announce ${dataBytes} bytes of data, more than an IDX file holds`);
  }
  if (totalBytes !== undefined && totalBytes !== headerBytes + dataBytes) {
    const what = totalBytes < headerBytes + dataBytes ? 'truncated' : 'has trailing bytes';
    throw new OtfgenFileError(name, `${what}: header says ${type} [${shape.join(', ')}] = ${headerBytes + dataBytes} bytes, file has ${totalBytes}`);
  }
  return { type, shape, headerBytes, dataBytes };
}

/**
 * Parses a whole IDX file held in memory. uint8 data is a view of `bytes`
 * (no copy); wider types are decoded from big-endian into a new array.
 * @example
 * ```ts
 * const { shape, data } = parseIdx(bytes, 'train-images-idx3-ubyte'); // [60000, 28, 28], Uint8Array
 * ```
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX buffer'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new OtfgenArgumentError('parseIdx(bytes)', 'expected a Uint8Array (a Node Buffer is one)');
  const h = parseIdxHeader(bytes, name, bytes.length);
  return { type: h.type, shape: h.shape, data: decode(bytes.subarray(h.headerBytes), h.type) };
}

function decode(raw: Uint8Array, type: IdxType): IdxData {
  if (type === 'uint8') return raw;
  if (type === 'int8') return new Int8Array(raw.buffer, raw.byteOffset, raw.length);
  const n = raw.length / BYTES[type];
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  switch (type) {
    case 'int16': {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++) a[i] = v.getInt16(2 * i, false);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = v.getInt32(4 * i, false);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = v.getFloat32(4 * i, false);
      return a;
    }
    default: {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = v.getFloat64(8 * i, false);
      return a;
    }
  }
}

/**
 * Encodes an array as IDX bytes. The type follows the array (Uint8Array ->
 * uint8, Float32Array -> float32, ...).
 * @example
 * ```ts
 * const bytes = encodeIdx(new Uint8Array(2 * 28 * 28), [2, 28, 28]);
 * ```
 */
export function encodeIdx(data: IdxData, shape: readonly number[]): Uint8Array {
  const type = typeOf(data);
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new OtfgenArgumentError('encodeIdx(shape)', `expected 1 to 255 non-negative integer dimensions, got [${shape.join(', ')}]`);
  }
  if (count !== data.length) throw new OtfgenArgumentError('encodeIdx(shape)', `[${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * BYTES[type]);
  const v = new DataView(out.buffer);
  out[2] = IDX_TYPES[type];
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const o = headerBytes;
  switch (type) {
    case 'uint8':
      out.set(data as Uint8Array, o);
      break;
    case 'int8':
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), o);
      break;
    case 'int16':
      for (let i = 0; i < count; i++) v.setInt16(o + 2 * i, data[i], false);
      break;
    case 'int32':
      for (let i = 0; i < count; i++) v.setInt32(o + 4 * i, data[i], false);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) v.setFloat32(o + 4 * i, data[i], false);
      break;
    default:
      for (let i = 0; i < count; i++) v.setFloat64(o + 8 * i, data[i], false);
  }
  return out;
}

function typeOf(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new OtfgenArgumentError('encodeIdx(data)', 'expected a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array');
}

const hex = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');
