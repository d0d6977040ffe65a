/** IDX files on disk (Node): read with checks before allocation, write atomically. */
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { OtfgenFileError } from '../../core/errors.js';
import { writeFileAtomic } from '../writers/atomic-file.js';
import { encodeIdx, parseIdx, parseIdxHeader, type IdxArray, type IdxData } from '../../sources/idx.js';

/**
 * Reads an IDX file (gzipped ones too, by their magic bytes). The header is
 * read and checked against the file's length before the data is read.
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
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, 4 + 4 * 255));
    await handle.read(head, 0, head.length, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const whole = await handle.readFile();
      let raw: Uint8Array;
      try {
        const b = gunzipSync(whole);
        raw = new Uint8Array(b.buffer, b.byteOffset, b.length);
      } catch (e) {
        throw new OtfgenFileError(path, `gzip data is corrupt or truncated: ${(e as Error).message}`, { cause: e });
      }
      return parseIdx(raw, path);
    }
    const header = parseIdxHeader(head, path, size);
    const bytes = new Uint8Array(header.headerBytes + header.dataBytes);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead !== bytes.length) throw new OtfgenFileError(path, `file shrank while reading: got ${bytesRead} of ${bytes.length} bytes`);
    return parseIdx(bytes, path);
  } finally {
    await handle.close();
  }
}

/**
 * Writes an array as an IDX file. The file appears whole or not at all
 * (written beside it, then renamed).
 */
export async function writeIdx(path: string, data: IdxData, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeIdx(data, shape));
}
