/** IDX files on disk (Node): read with checks before allocation, write atomically. */
import { constants as bufferConstants } from 'node:buffer';
import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { OtfgenFileError } from '../../core/errors.js';
import { writeFileAtomic } from '../writers/atomic-file.js';
import { encodeIdx, parseIdx, parseIdxHeader, type IdxArray, type IdxData } from '../../sources/idx.js';

/**
 * Reads an IDX file (gzipped ones too, by their magic bytes). The header is
 * read and checked against the file's length before the data is read; a
 * gzipped file's header is checked on its first inflated bytes, and the rest
 * is inflated no further than the size the header announces.
 * @example
 * ```ts
 * const labels = await readIdx('data/train-labels-idx1-ubyte'); // { type: 'uint8', shape: [60000], data }
 * ```
 */
export async function readIdx(path: string): Promise<IdxArray> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new OtfgenFileError(path, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new OtfgenFileError(path, 'is a folder, not an IDX file: name one of its files (e.g. train-images-idx3-ubyte)');
    const size = stat.size;
    const head = new Uint8Array(Math.min(size, MAX_HEADER_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return inflateIdx(await handle.readFile(), path);
    const header = parseIdxHeader(head, path, size);
    const bytes = new Uint8Array(header.headerBytes + header.dataBytes);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead !== bytes.length) throw new OtfgenFileError(path, `file shrank while reading: got ${bytesRead} of ${bytes.length} bytes`);
    return parseIdx(bytes, path);
  } finally {
    await handle.close();
  }
}

/** The longest IDX header: the magic number and 255 dimensions. */
const MAX_HEADER_BYTES = 4 + 4 * 255;

/**
 * A gzipped IDX file: its header from the first inflated bytes, checked before
 * the rest is inflated, and the rest inflated up to the size the header
 * announces (a file that inflates to more is refused when it passes that).
 */
function inflateIdx(gz: Uint8Array, path: string): IdxArray {
  const fail = (e: unknown): never => {
    throw new OtfgenFileError(path, `gzip data is corrupt or truncated: ${(e as Error).message}`, { cause: e });
  };
  // Inflate growing prefixes of the compressed bytes until the longest header is in (or all of it is).
  let head = new Uint8Array(0);
  for (let n = 1024; ; n *= 16) {
    const part = gz.subarray(0, Math.min(n, gz.length));
    try {
      const b = gunzipSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      head = new Uint8Array(b.buffer, b.byteOffset, Math.min(b.length, MAX_HEADER_BYTES));
    } catch (e) {
      fail(e);
    }
    if (head.length >= MAX_HEADER_BYTES || part.length === gz.length) break;
  }
  if (head.length < 4) {
    // Too little came out to hold a header: inflate strictly, so corrupt or truncated gzip data says so.
    try {
      head = Uint8Array.from(gunzipSync(gz, { maxOutputLength: MAX_HEADER_BYTES }));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') fail(e);
    }
  }
  const header = parseIdxHeader(head, path);
  const announced = header.headerBytes + header.dataBytes;
  let raw: Uint8Array;
  try {
    const b = gunzipSync(gz, { maxOutputLength: Math.min(announced, bufferConstants.MAX_LENGTH) });
    raw = new Uint8Array(b.buffer, b.byteOffset, b.length);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new OtfgenFileError(
        path,
        `has trailing bytes: inflates to more than the ${announced} bytes its header announces (${header.type} [${header.shape.join(', ')}])`,
        {
          cause: e,
        },
      );
    }
    return fail(e);
  }
  return parseIdx(raw, path);
}

/**
 * Writes an array as an IDX file. The file appears whole or not at all
 * (written beside it, then renamed).
 */
export async function writeIdx(path: string, data: IdxData, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeIdx(data, shape));
}
