import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digits, generate, pixelCountTask } from '../src/index.js';
import { exportDataset, readIdx } from '../src/node/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otfgen-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reference = async (count: number, batchSize: number) => {
  const batches = await generate(digits, { seed: 4, batchSize })
    .take(Math.ceil(count / batchSize))
    .toArray();
  const x = new Float32Array(count * 784),
    y: number[] = [];
  let o = 0;
  for (const b of batches) {
    const take = Math.min(b.size, count - o);
    x.set(b.x.subarray(0, take * 784), o * 784);
    y.push(...Array.from(b.y.subarray(0, take)));
    o += take;
  }
  return { x, y };
};

describe('exportDataset', () => {
  it('IDX float32 reads back byte for byte; labels as bytes, like MNIST', async () => {
    const r = await exportDataset(digits, { dir, count: 250, seed: 4, dtype: 'float32', batchSize: 100 });
    const images = await readIdx(r.images);
    const labels = await readIdx(r.targets);
    expect(images.shape).toEqual([250, 28, 28]);
    expect(images.type).toBe('float32');
    expect(labels.type).toBe('uint8');
    const ref = await reference(250, 100);
    expect(images.data).toEqual(ref.x);
    expect(Array.from(labels.data)).toEqual(ref.y);
  });

  it('refuses a seed that is not an integer or a string, or a batch size under 1, before it makes the folder', async () => {
    const sub = join(dir, 'bad-seed');
    await expect(exportDataset(digits, { dir: sub, count: 10, seed: NaN })).rejects.toThrow(
      /exportDataset options.seed: expected an integer or a string, got NaN/,
    );
    await expect(exportDataset(digits, { dir: sub, count: 10, batchSize: 0 })).rejects.toThrow(
      /exportDataset options.batchSize: expected an integer >= 1, got 0/,
    );
    expect(existsSync(sub)).toBe(false);
  });

  it("IDX uint8 is MNIST's encoding, round(x * 255), and no temporary file is left", async () => {
    const sub = join(dir, 'u8');
    const r = await exportDataset(digits, { dir: sub, count: 64, seed: 4, batchSize: 64 });
    const images = await readIdx(r.images);
    const ref = await reference(64, 64);
    expect(images.type).toBe('uint8');
    expect(Array.from(images.data.subarray(0, 784))).toEqual(Array.from(ref.x.subarray(0, 784), (v) => Math.round(v * 255)));
    expect((await readdir(sub)).sort()).toEqual(['digits-images-idx3-ubyte', 'digits-labels-idx1-ubyte', 'digits.manifest.json', 'digits.recipe.json']);
  });

  it('NPY: a NumPy header with dtype and shape, then the data', async () => {
    const r = await exportDataset(pixelCountTask({ target: 'fraction' }), { dir, count: 10, seed: 1, format: 'npy', dtype: 'float32' });
    const bytes = await readFile(r.images);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes.subarray(10, 10 + headerLength).toString()).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(10, 28, 28, 1\), \}\s*\n$/);
    expect(bytes.length).toBe(10 + headerLength + 10 * 784 * 4);
    const targets = await readFile(r.targets);
    const th = targets.readUInt16LE(8);
    expect(targets.subarray(10, 10 + th).toString()).toContain("'shape': (10,)");
    const [b] = await generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 1000 })
      .take(1)
      .toArray();
    expect(targets.readFloatLE(10 + th)).toBeCloseTo(b.y[0], 6);
    expect(bytes.readFloatLE(10 + headerLength + 4 * 5)).toBe(b.x[5]);
  });

  it('rejects bad options', async () => {
    await expect(exportDataset(digits, { dir, count: 0 })).rejects.toThrow(/count/);
    await expect(exportDataset(digits, { dir, count: 5, format: 'csv' as never })).rejects.toThrow(/format/);
  });
});

describe('exports that fail or stop', () => {
  // Issue 40, item 15: exports were named after the task, which mnist({ dir }) and --data could not read.
  it("with split, writes MNIST's names, which mnist({ dir }) reads back to the byte", async () => {
    const { mnist } = await import('../src/node/index.js');
    const out = join(dir, 'as-mnist');
    await exportDataset(digits, { dir: out, count: 30, seed: 4, batchSize: 10, split: 'train' });
    await exportDataset(digits, { dir: out, count: 20, seed: 5, batchSize: 10, split: 'test' });
    expect((await readdir(out)).sort()).toEqual([
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
      't10k.manifest.json',
      't10k.recipe.json',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      'train.manifest.json',
      'train.recipe.json',
    ]);
    const train = await mnist({ split: 'train', dir: out });
    const { x, y } = await reference(30, 10);
    expect(train.count).toBe(30);
    expect(Array.from(train.y)).toEqual(y);
    expect(Array.from(train.x)).toEqual(Array.from(x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    expect((await mnist({ split: 'test', dir: out })).count).toBe(20);
    await expect(exportDataset(digits, { dir: out, count: 5, split: 'train', format: 'npy' })).rejects.toThrow(
      /^exportDataset options\.split: names the files as MNIST's/,
    );
  });

  // Issue 40, item 11: the folder was made before the options were checked.
  it("checks every option, the stream's too, before it makes the folder", async () => {
    const out = join(dir, 'never-made');
    await expect(exportDataset(digits, { dir: out, count: 5, params: { slant: [99, 100] } })).rejects.toThrow(/params\.slant/);
    await expect(exportDataset(digits, { dir: out, count: 5, workers: 300 })).rejects.toThrow(/options\.workers/);
    expect(existsSync(out)).toBe(false);
  });

  // Issue 40, item 2: an interrupted export left its temporary files (150 MB a try).
  it('stopped by its signal, writes nothing at the paths and leaves no temporary file', async () => {
    const out = join(dir, 'stopped');
    const ctl = new AbortController();
    let batches = 0;
    const params = () => {
      if (++batches === 3) ctl.abort(new Error('stopped on purpose'));
      return {};
    };
    await expect(exportDataset(digits, { dir: out, count: 100, batchSize: 10, params, signal: ctl.signal })).rejects.toThrow('stopped on purpose');
    expect(await readdir(out)).toEqual([]);
  });
});

describe('otfgen export, stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: exit code %i, nothing written and no temporary file left',
    async (signal, code) => {
      const { spawn } = await import('node:child_process');
      const { builtCli } = await import('./helpers.js');
      const out = join(dir, `cli-${signal}`);
      const child = spawn(process.execPath, [builtCli, 'export', '--task', 'digits', '--count', '2000000', '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Wait until the temporaries exist and are being written.
      while (!(existsSync(out) && (await readdir(out)).some((f) => f.endsWith('.tmp')))) await new Promise((r) => setTimeout(r, 20));
      child.kill(signal);
      const exit = await new Promise<number | null>((r) => child.once('close', r));
      expect(exit).toBe(code);
      expect(stderr).toContain(`interrupted (${signal})`);
      expect(await readdir(out)).toEqual([]);
    },
    60_000,
  );
});
