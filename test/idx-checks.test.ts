/**
 * The IDX reader and writer at their edges: every refusal with its whole
 * message, the size limits at and past their boundary, and readIdx on files
 * (plain and gzipped, a header of 255 dimensions that does not fit the first
 * inflated block, gzip data cut short) with no file handle left open.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { OtfgenArgumentError, OtfgenFileError } from '../src/core/errors.js';
import { readIdx } from '../src/node/files/idx-file.js';
import { encodeIdx, parseIdx, parseIdxHeader } from '../src/sources/idx.js';
import { thrownBy } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'otfgen-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caught = thrownBy;
const header = (...bytes: number[]) => Uint8Array.from(bytes);
/** A header of `type` code and these dimensions. */
function headerOf(code: number, dims: number[]): Uint8Array {
  const h = new Uint8Array(4 + 4 * dims.length);
  h[2] = code;
  h[3] = dims.length;
  const v = new DataView(h.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return h;
}
const openHandles = () => readdirSync('/proc/self/fd').length;

describe('parseIdxHeader', () => {
  const refuse = (head: Uint8Array, total?: number) => {
    const e = caught(() => parseIdxHeader(head, 'f.idx', total));
    expect(e).toBeInstanceOf(OtfgenFileError);
    return e.message;
  };
  it('names the file and what is wrong with the header', () => {
    expect(refuse(header(0, 0, 8))).toBe('f.idx: not an IDX file: 3 bytes, a header needs at least 4');
    expect(refuse(header(1, 0, 8, 1))).toBe('f.idx: not an IDX file: magic number must start with two zero bytes, found 0x01 0x00');
    expect(refuse(header(0, 7, 8, 1))).toBe('f.idx: not an IDX file: magic number must start with two zero bytes, found 0x00 0x07');
    expect(refuse(header(0x1f, 0x8b, 8, 0))).toBe(
      'f.idx: not an IDX file: magic number must start with two zero bytes, found 0x1f 0x8b (it looks gzipped: decompress it first, or use readIdx which does)',
    );
    expect(refuse(header(0x1f, 0, 8, 0))).toBe('f.idx: not an IDX file: magic number must start with two zero bytes, found 0x1f 0x00');
    expect(refuse(header(0, 0x8b, 8, 0))).toBe('f.idx: not an IDX file: magic number must start with two zero bytes, found 0x00 0x8b');
    expect(refuse(header(0, 0, 0x0a, 1))).toBe('f.idx: unknown IDX type code 0x0a; expected one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e');
    expect(refuse(header(0, 0, 8, 0))).toBe('f.idx: IDX header declares 0 dimensions; expected at least 1');
    expect(refuse(header(0, 0, 8, 2, 0, 0, 0, 3))).toBe('f.idx: truncated header: 2 dimensions need 12 bytes, file has 8');
  });

  it('takes data of up to 2^32 bytes, and no more', () => {
    expect(parseIdxHeader(headerOf(0x08, [65536, 65536]), 'f').dataBytes).toBe(2 ** 32);
    expect(refuse(headerOf(0x08, [65536, 65537]))).toBe(
      'f.idx: header dimensions [65536, 65537] announce 4295032832 bytes of data, more than an IDX file holds',
    );
    expect(refuse(headerOf(0x0e, [2 ** 29 + 1]))).toBe('f.idx: header dimensions [536870913] announce 4294967304 bytes of data, more than an IDX file holds');
  });

  it("checks the file's size when given: short, long or exact", () => {
    const h = headerOf(0x0c, [2, 3]); // int32 [2, 3]: 12 + 24 bytes
    expect(refuse(h, 35)).toBe('f.idx: truncated: header says int32 [2, 3] = 36 bytes, file has 35');
    expect(refuse(h, 37)).toBe('f.idx: has trailing bytes: header says int32 [2, 3] = 36 bytes, file has 37');
    expect(parseIdxHeader(h, 'f', 36)).toEqual({ type: 'int32', shape: [2, 3], headerBytes: 12, dataBytes: 24 });
  });
});

describe('parseIdx and encodeIdx', () => {
  it('round-trip every type, big-endian on disk', async () => {
    const cases = [
      new Uint8Array([0, 1, 255, 7]),
      new Int8Array([-128, 0, 1, 127]),
      new Int16Array([-32768, 1, 256, 32767]),
      new Int32Array([-(2 ** 31), 1, 65536, 2 ** 31 - 1]),
      new Float32Array([-1.5, 0, 0.25, 3e38]),
      new Float64Array([-1.5, 0, 1e-300, 1e300]),
    ];
    for (const data of cases) {
      const bytes = encodeIdx(data, [2, 2]);
      const back = parseIdx(bytes, 'mem');
      expect(back.shape).toEqual([2, 2]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(back.data.constructor).toBe(data.constructor);
    }
    // int16 256 is stored 0x01 0x00 (big-endian).
    const int16 = encodeIdx(new Int16Array([256]), [1]);
    expect(Array.from(int16)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 1, 1, 0]);
    expect(Array.from(encodeIdx(new Uint8Array([9]), [1]))).toEqual([0, 0, 0x08, 1, 0, 0, 0, 1, 9]);
  });

  it('parseIdx names a wrong argument and defaults the name', () => {
    const e = caught(() => parseIdx([0, 0, 8, 1] as never));
    expect(e).toBeInstanceOf(OtfgenArgumentError);
    expect(e.message).toBe('parseIdx(bytes): expected a Uint8Array (a Node Buffer is one)');
    expect(caught(() => parseIdx(header(1, 1, 8, 1))).message).toMatch(/^IDX buffer: not an IDX file/);
  });

  it('encodeIdx refuses a shape it cannot write, or data of another length or type', () => {
    const wanted = 'encodeIdx(shape): expected 1 to 255 non-negative integer dimensions, got';
    const refuse = (data: unknown, shape: number[]) => {
      const e = caught(() => encodeIdx(data as Uint8Array, shape));
      expect(e).toBeInstanceOf(OtfgenArgumentError);
      return e.message;
    };
    expect(refuse(new Uint8Array(1), [])).toBe(`${wanted} []`);
    expect(refuse(new Uint8Array(1), new Array(256).fill(1))).toBe(`${wanted} [${new Array(256).fill(1).join(', ')}]`);
    expect(refuse(new Uint8Array(0), [-1])).toBe(`${wanted} [-1]`);
    expect(refuse(new Uint8Array(1), [1.5])).toBe(`${wanted} [1.5]`);
    expect(refuse(new Uint8Array(0), [0, 2 ** 32])).toBe(`${wanted} [0, 4294967296]`);
    expect(refuse(new Uint8Array(5), [2, 3])).toBe('encodeIdx(shape): [2, 3] holds 6 values but data has 5');
    expect(refuse([1, 2], [2])).toBe('encodeIdx(data): expected a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array');
    // The edges that fit: 255 dimensions, a zero and the largest dimension.
    expect(encodeIdx(new Uint8Array(1), new Array(255).fill(1)).length).toBe(4 + 4 * 255 + 1);
    expect(encodeIdx(new Uint8Array(0), [0, 2 ** 32 - 1]).length).toBe(12);
  });
});

describe('readIdx', () => {
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const data = Float32Array.from({ length: 24 }, (_, i) => i / 7);
  const plain = encodeIdx(data, [2, 3, 4]);

  it('reads a plain and a gzipped file to the same array, leaving no file open', async () => {
    const handles = openHandles();
    for (const p of [file('a.idx', plain), file('a.idx.gz', gzipSync(plain))]) {
      const got = await readIdx(p);
      expect(got.shape).toEqual([2, 3, 4]);
      expect(Array.from(got.data)).toEqual(Array.from(data));
    }
    expect(openHandles()).toBe(handles);
  });

  it('a gzipped header of 255 dimensions, longer than the first inflated block', async () => {
    // A zero dimension first (no data), then 254 that do not compress: the header needs more than the first block.
    const dims = [0, ...Array.from({ length: 254 }, (_, i) => (i * 2654435761) >>> 0)];
    const bytes = headerOf(0x08, dims);
    const gz = gzipSync(bytes, { level: 0 });
    expect(gz.length).toBeGreaterThan(1024);
    const got = await readIdx(file('wide.idx.gz', gz));
    expect(got.shape).toEqual(dims);
    expect(got.data.length).toBe(0);
  });

  it('refuses, naming the file: a missing one, a folder, a plain file with a 0x1f first byte, gzip cut short or longer than announced', async () => {
    const handles = openHandles();
    const missing = join(dir, 'none.idx');
    const e1 = (await readIdx(missing).catch((e: unknown) => e as OtfgenFileError)) as OtfgenFileError;
    expect(e1).toBeInstanceOf(OtfgenFileError);
    expect(e1.message).toMatch(new RegExp(`^${missing}: cannot open: ENOENT`));
    expect((e1.cause as { code?: string }).code).toBe('ENOENT');

    await expect(readIdx(dir)).rejects.toThrow(`${dir}: is a folder, not an IDX file: name one of its files (e.g. train-images-idx3-ubyte)`);

    const odd = file('odd.idx', Uint8Array.from([0x1f, 0, 8, 1, 0, 0, 0, 0]));
    await expect(readIdx(odd)).rejects.toThrow(`${odd}: not an IDX file: magic number must start with two zero bytes, found 0x1f 0x00`);

    const gz = gzipSync(plain);
    const cut = file('cut.idx.gz', gz.subarray(0, gz.length - 20));
    const e2 = (await readIdx(cut).catch((e: unknown) => e as OtfgenFileError)) as OtfgenFileError;
    expect(e2.message).toMatch(new RegExp(`^${cut}: gzip data is corrupt or truncated: `));
    expect(e2.cause).toBeInstanceOf(Error);

    const long = file('long.idx.gz', gzipSync(Uint8Array.from([...plain, 1, 2, 3])));
    const e3 = (await readIdx(long).catch((e: unknown) => e as OtfgenFileError)) as OtfgenFileError;
    expect(e3.message).toBe(`${long}: has trailing bytes: inflates to more than the 112 bytes its header announces (float32 [2, 3, 4])`);
    expect((e3.cause as { code?: string }).code).toBe('ERR_BUFFER_TOO_LARGE');

    const tiny = file('tiny.idx.gz', gzipSync(Uint8Array.from([0, 0])));
    await expect(readIdx(tiny)).rejects.toThrow(`${tiny}: not an IDX file: 2 bytes, a header needs at least 4`);
    expect(openHandles()).toBe(handles);
  });
});
