import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtfgenFileError, digits, fromIterable, generate, type Batch } from '../src/index.js';
import { imageFolder, writeImageFolder } from '../src/node/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'otfgen-png-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** label:pixel-bytes of every sample, sorted: equal for the same samples in any order. */
const keys = (batches: Batch[]) =>
  batches
    .flatMap((b) =>
      Array.from({ length: b.size }, (_, i) => `${b.y[i]}:${Array.from(b.x.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)).join(',')}`),
    )
    .sort();

describe('image folders', () => {
  it('write a stream as class folders of PNGs, and read back the same samples', async () => {
    const dir = join(root, 'digits');
    const original = await generate(digits, { seed: 5, batchSize: 30 }).take(2).toArray();
    await writeImageFolder(fromIterable(original), dir, { count: 60 });
    expect((await readdir(dir)).length).toBeGreaterThanOrEqual(2);
    const source = await imageFolder(dir, { batchSize: 16, seed: 1 });
    expect(source.size).toBe(4);
    const read = await source.toArray();
    expect(read.map((b) => b.size)).toEqual([16, 16, 16, 12]);
    expect(read[0].sampleShape).toEqual([28, 28, 1]);
    expect(keys(read)).toEqual(keys(original));
    // Reshuffled per epoch, reproducibly.
    const twice = await (await imageFolder(dir, { batchSize: 60, seed: 1, epochs: 2 })).toArray();
    expect(Array.from(twice[0].y)).not.toEqual(Array.from(twice[1].y));
    expect(Array.from((await (await imageFolder(dir, { batchSize: 60, seed: 1 })).toArray())[0].y)).toEqual(Array.from(twice[0].y));
  });

  it('refuses a seed that is not an integer or a string, or a shuffle that is not true or false, naming it', async () => {
    await expect(imageFolder(join(root, 'digits'), { seed: 1.5 })).rejects.toThrow(/imageFolder options.seed: expected an integer or a string, got 1.5/);
    await expect(imageFolder(join(root, 'digits'), { shuffle: 1 as never })).rejects.toThrow(/imageFolder options.shuffle: expected true or false, got 1/);
  });

  it('a corrupt or odd-sized image is an error naming the file, when met in a folder not scanned', async () => {
    const dir = join(root, 'bad');
    await writeImageFolder(generate(digits, { seed: 1, batchSize: 20 }), dir, { count: 20 });
    const classDir = join(dir, (await readdir(dir))[0]);
    await writeFile(join(classDir, 'zzz-corrupt.png'), 'not a png');
    const err = await (await imageFolder(dir, { batchSize: 32, shuffle: false, scan: false })).toArray().catch((e) => e);
    expect(err).toBeInstanceOf(OtfgenFileError);
    expect(err.message).toMatch(/zzz-corrupt\.png: cannot decode/);
    await rm(join(classDir, 'zzz-corrupt.png'));
    await sharp({ create: { width: 30, height: 28, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .greyscale()
      .png()
      .toFile(join(classDir, 'zzz-wide.png'));
    await expect((await imageFolder(dir, { batchSize: 32, shuffle: false, scan: false })).toArray()).rejects.toThrow(
      /zzz-wide\.png: is 30x28x1; the folder's images are 28x28x1/,
    );
    // Scanned (the default for a folder this size), it is named before the first batch.
    await expect(imageFolder(dir, { batchSize: 32 })).rejects.toThrow(/zzz-wide\.png: is 30x28; the folder's images are 28x28/);
    await expect(imageFolder(join(root, 'missing'))).rejects.toThrow(/missing: cannot read the folder/);
  });

  it("decodes PNGs of each colour type (pngjs) to sharp's pixels, and JPEGs through sharp", async () => {
    const dir = join(root, 'colour-types');
    const w = 5,
      h = 4;
    const rgba = Buffer.from(Array.from({ length: w * h * 4 }, (_, i) => (i * 37 + 11) % 256));
    const images: [string, ReturnType<typeof sharp>][] = [
      [
        'rgb',
        sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
          .removeAlpha()
          .png(),
      ],
      ['rgba', sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png()],
      [
        'palette',
        sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
          .removeAlpha()
          .png({ palette: true, colours: 8, dither: 0 }),
      ],
    ];
    for (const [c, img] of images) {
      await mkdir(join(dir, c), { recursive: true });
      await img.toFile(join(dir, c, 'x.png'));
    }
    const [batch] = await (await imageFolder(dir, { batchSize: 8, shuffle: false })).toArray();
    expect(batch.sampleShape).toEqual([h, w, 3]);
    // Class folders sorted by name: palette, rgb, rgba.
    for (const [k, c] of ['palette', 'rgb', 'rgba'].entries()) {
      const want = await sharp(join(dir, c, 'x.png'))
        .removeAlpha()
        .raw()
        .toBuffer();
      expect(
        Array.from(batch.x.subarray(k * w * h * 3, (k + 1) * w * h * 3), (v) => Math.round(v * 255)),
        c,
      ).toEqual(Array.from(want));
    }
    // Grey, and grey with alpha: one channel.
    const greyDir = join(root, 'grey-types');
    for (const [c, alpha] of [
      ['g', false],
      ['ga', true],
    ] as const) {
      await mkdir(join(greyDir, c), { recursive: true });
      const img = sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).toColourspace('b-w');
      await (alpha ? img : img.removeAlpha()).png().toFile(join(greyDir, c, 'x.png'));
    }
    const [grey] = await (await imageFolder(greyDir, { batchSize: 8, shuffle: false })).toArray();
    expect(grey.sampleShape).toEqual([h, w, 1]);
    for (const [k, c] of ['g', 'ga'].entries()) {
      const want = await sharp(join(greyDir, c, 'x.png'))
        .toColourspace('b-w')
        .raw()
        .toBuffer();
      expect(
        Array.from(grey.x.subarray(k * w * h, (k + 1) * w * h), (v) => Math.round(v * 255)),
        c,
      ).toEqual(Array.from(want));
    }
    // JPEG folders go through sharp.
    const jpegDir = join(root, 'jpegs');
    for (const c of ['a', 'b']) {
      await mkdir(join(jpegDir, c), { recursive: true });
      await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .removeAlpha()
        .jpeg()
        .toFile(join(jpegDir, c, 'x.jpg'));
    }
    const [jpeg] = await (await imageFolder(jpegDir, { batchSize: 8, shuffle: false })).toArray();
    const want = await sharp(join(jpegDir, 'a', 'x.jpg'))
      .raw()
      .toBuffer();
    expect(Array.from(jpeg.x.subarray(0, w * h * 3), (v) => Math.round(v * 255))).toEqual(Array.from(want));
  });

  it('a stream that fails midway leaves no folder behind', async () => {
    const dir = join(root, 'half');
    async function* failing() {
      yield (await generate(digits, { seed: 1, batchSize: 10 }).take(1).toArray())[0];
      throw new Error('source broke');
    }
    await expect(writeImageFolder(failing(), dir, { count: 50 })).rejects.toThrow('source broke');
    expect(existsSync(dir)).toBe(false);
    expect((await readdir(root)).filter((f) => f.startsWith('half'))).toEqual([]);
  });

  // Issue 40, item 1: writing into an existing folder deleted it and everything the user kept there.
  it("never replaces a folder with anything in it: the user's files stay, and nothing is written", async () => {
    const dir = join(root, 'mine');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const stream = generate(digits, { seed: 1, batchSize: 10 });
    await expect(writeImageFolder(stream, dir, { count: 10 })).rejects.toThrow(
      `${dir}: exists and holds 1 entry: writeImageFolder writes a new folder and never replaces one; choose another, or empty it first`,
    );
    expect(await readdir(dir)).toEqual(['notes.txt']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    expect((await readdir(root)).filter((f) => f.startsWith('mine.'))).toEqual([]);
    // A file where the folder should go is refused too; an empty folder is filled.
    await expect(writeImageFolder(stream, join(dir, 'notes.txt'), { count: 10 })).rejects.toThrow(/notes\.txt: exists and is not a folder/);
    const empty = join(root, 'empty');
    await mkdir(empty);
    await writeImageFolder(stream, empty, { count: 10 });
    expect((await readdir(empty)).length).toBeGreaterThan(1);
  });

  // Issue 40, item 8: images in nested folders were dropped silently (183 of 200), and an empty folder counted as a class.
  it('reads images in nested folders into their top-level class, and refuses a class folder with no image', async () => {
    const dir = join(root, 'nested');
    await writeImageFolder(generate(digits, { seed: 3, batchSize: 20 }), dir, { count: 40 });
    const classes = (await readdir(dir)).sort();
    // Move half of the first class's images two folders down.
    const first = join(dir, classes[0]);
    const deep = join(first, 'a', 'b');
    await mkdir(deep, { recursive: true });
    const moved = (await readdir(first)).filter((f) => f.endsWith('.png')).slice(0, 2);
    for (const f of moved) await writeFile(join(deep, f), await readFile(join(first, f)));
    for (const f of moved) await rm(join(first, f));
    const all = await (await imageFolder(dir, { batchSize: 40, shuffle: false })).toArray();
    expect(all[0].size).toBe(40);
    expect(all[0].target).toEqual({ kind: 'class', classes: classes.length });
    await mkdir(join(dir, 'zz-empty', 'inner'), { recursive: true });
    await expect(imageFolder(dir)).rejects.toThrow(`${join(dir, 'zz-empty')}: holds no .png, .jpg or .webp images: a class folder needs at least one`);
  });
});
