import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IMAGE_STATISTICS, OtfgenArgumentError, defineTask, digits, fitParams, imageStatistics, renderBatch } from '../src/index.js';
import { DEFAULT_STATISTICS } from '../src/fit/image-statistics.js';
import { fitCommand } from '../src/cli/fit.js';
import { jsonObject, resolveTask } from '../src/cli/common.js';
import { commandTestDir, writeIdxDataset } from './helpers.js';

const dir = commandTestDir('otfgen-fit-');

/** One 28x28 image with `pixels` (row, column) set to `v`. */
function image(pixels: [number, number][], v = 1): Float32Array {
  const x = new Float32Array(784);
  for (const [r, c] of pixels) x[r * 28 + c] = v;
  return x;
}

/** A bar: `rows` tall, `cols` wide, from (top, left). */
function bar(top: number, left: number, rows: number, cols: number): [number, number][] {
  return Array.from({ length: rows * cols }, (_, i) => [top + Math.floor(i / cols), left + (i % cols)] as [number, number]);
}

describe('imageStatistics', () => {
  it('measures size, cover, ink, spread and edges of a known shape', () => {
    const s = imageStatistics({ x: image(bar(4, 10, 20, 3), 0.8), sampleShape: [28, 28, 1] });
    expect(s.height[0]).toBeCloseTo(20 / 28, 10);
    expect(s.width[0]).toBeCloseTo(3 / 28, 10);
    expect(s.cover[0]).toBeCloseTo(60 / 784, 10);
    expect(s.ink[0]).toBeCloseTo(0.8, 6);
    // Rows 4..23: their standard deviation is sqrt((20^2 - 1) / 12).
    expect(s.spreadY[0]).toBeCloseTo(Math.sqrt((400 - 1) / 12) / 28, 6);
    expect(s.slant[0]).toBeCloseTo(0, 10);
    // Boundary pairs: 2 x 20 at the sides and 2 x 3 at the ends, over 60 strong pixels.
    expect(s.edges[0]).toBeCloseTo(46 / 60, 10);
    expect(s.texture[0]).toBe(0);
    expect(s.centreY[0]).toBeCloseTo(13.5 / 28, 6);
    expect(s.centreX[0]).toBeCloseTo(11 / 28, 6);
  });

  it('a shape leaning right has a positive slant, one leaning left a negative one; a thicker stroke has fewer edges per pixel', () => {
    const right = image(Array.from({ length: 20 }, (_, r) => [4 + r, 20 - Math.floor(r / 2)] as [number, number]));
    const left = image(Array.from({ length: 20 }, (_, r) => [4 + r, 6 + Math.floor(r / 2)] as [number, number]));
    const both = new Float32Array(784 * 4);
    both.set(right, 0);
    both.set(left, 784);
    both.set(image(bar(4, 12, 20, 1)), 784 * 2);
    both.set(image(bar(4, 12, 20, 4)), 784 * 3);
    const s = imageStatistics({ x: both, sampleShape: [28, 28, 1] });
    expect(s.slant[0]).toBeCloseTo(0.5, 1);
    expect(s.slant[1]).toBeCloseTo(-0.5, 1);
    expect(s.edges[3]).toBeLessThan(s.edges[2]);
  });

  it('reads bytes as values / 255 and averages channels; a blank image is all zeros', () => {
    const f = image(bar(3, 3, 10, 5), 200 / 255);
    const bytes = Uint8Array.from(f, (v) => Math.round(v * 255));
    const rgb = new Float32Array(784 * 3);
    f.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
    const a = imageStatistics({ x: f, sampleShape: [28, 28, 1] });
    const b = imageStatistics({ x: bytes, sampleShape: [28, 28] });
    const c = imageStatistics({ x: rgb, sampleShape: [28, 28, 3] });
    for (const s of IMAGE_STATISTICS) {
      expect(b[s][0]).toBeCloseTo(a[s][0], 6);
      expect(c[s][0]).toBeCloseTo(a[s][0], 6);
    }
    const blank = imageStatistics({ x: new Float32Array(784), sampleShape: [28, 28, 1] });
    for (const s of IMAGE_STATISTICS) expect(blank[s][0]).toBe(0);
  });

  it('names what is wrong with the images', () => {
    expect(() => imageStatistics({ x: [1, 2] as never, sampleShape: [28, 28] })).toThrow(/imageStatistics images\.x: expected a Uint8Array or Float32Array/);
    expect(() => imageStatistics({ x: new Float32Array(784), sampleShape: [784] })).toThrow(
      /imageStatistics images\.sampleShape: expected images: \[height, width\]/,
    );
    expect(() => imageStatistics({ x: new Float32Array(700), sampleShape: [28, 28, 1] })).toThrow(
      /imageStatistics images\.x: length 700 is not a positive multiple of the image length 784/,
    );
  });
});

/** Real-looking reference: digits with thick strokes and no blur, to be found from the defaults. */
const reference = (() => {
  const b = renderBatch(digits, { seed: 'reference', index: 0, batchSize: 600, params: { strokeWidth: [3.5, 4.5], blur: 0 } });
  return { x: b.x, y: b.y, sampleShape: [28, 28, 1] as const };
})();
const quick = { samples: 300, referenceSamples: 600, iterations: 40, seed: 1 } as const;

describe('fitParams', () => {
  it('moves a range toward the reference images and lowers the distance; the rest stays as given', () => {
    const r = fitParams(digits, reference, { ...quick, fit: ['strokeWidth'], params: { blur: 0, slant: [-5, 5] } });
    const [lo, hi] = r.fitted.strokeWidth;
    // Defaults [1.5, 3.5]: the fit widens the strokes toward [3.5, 4.5].
    expect((lo + hi) / 2).toBeGreaterThan(3);
    expect(r.distance.after).toBeLessThan(r.distance.before);
    expect(r.history).toHaveLength(40);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i]).toBeLessThanOrEqual(r.history[i - 1]);
    expect(r.history.at(-1)).toBe(r.distance.after);
    expect(r.params).toEqual({ blur: 0, slant: [-5, 5], strokeWidth: r.fitted.strokeWidth });
    expect(Object.keys(r.statistics)).toEqual([...DEFAULT_STATISTICS]);
    expect(r.statistics.edges!.after).toBeLessThan(r.statistics.edges!.before);
  });

  it('the same seed gives the same fit; another seed searches otherwise', () => {
    const a = fitParams(digits, reference, { ...quick, fit: ['strokeWidth', 'aspect'] });
    const b = fitParams(digits, reference, { ...quick, fit: ['strokeWidth', 'aspect'] });
    const c = fitParams(digits, reference, { ...quick, seed: 2, fit: ['strokeWidth', 'aspect'] });
    expect(b).toEqual(a);
    expect(c.fitted).not.toEqual(a.fitted);
  });

  it('perClass compares each class with its own images, and needs labels for them', () => {
    const all = fitParams(digits, reference, { ...quick, iterations: 0, fit: ['strokeWidth'] });
    const per = fitParams(digits, reference, { ...quick, iterations: 0, fit: ['strokeWidth'], perClass: true });
    expect(per.distance.before).not.toBe(all.distance.before);
    expect(() => fitParams(digits, { x: reference.x, sampleShape: [28, 28, 1] }, { ...quick, fit: ['strokeWidth'], perClass: true })).toThrow(
      /fitParams reference\.y: perClass needs one label per reference image \(600\), got none/,
    );
    const sevens = { ...reference, y: new Int32Array(600).fill(7) };
    expect(() => fitParams(digits, sevens, { ...quick, fit: ['strokeWidth'], perClass: true })).toThrow(/class 0, 1, 2, 3, 4, 5, 6, 8, 9 has fewer/);
    const regression = defineTask({
      name: 'ink',
      sampleShape: [28, 28, 1],
      target: { kind: 'regression', size: 1 },
      params: { v: { min: 0, max: 1, default: [0, 1] } },
      render: (rng, p, out, o) => {
        out[o] = p.v;
        return p.v;
      },
    });
    expect(() => fitParams(regression, reference, { ...quick, fit: ['v'], perClass: true })).toThrow(
      /options\.perClass: needs a class task that draws each sample's class/,
    );
    expect(() =>
      fitParams(digits, reference, { ...quick, fit: ['strokeWidth'], perClass: true, params: { classWeights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0] } }),
    ).toThrow(/class 9 of task 'digits' has weight 0/);
  });

  it('works on any defineTask image task: finds the brightness of a square', () => {
    const square = defineTask({
      name: 'square',
      sampleShape: [28, 28, 1],
      target: { kind: 'class', classes: 2 },
      params: { brightness: { min: 0, max: 1, default: [0.2, 0.4] } },
      render(rng, p, out, offset, label) {
        for (let r = 8; r < 20; r++) for (let c = 8; c < 20; c++) out[offset + r * 28 + c] = p.brightness;
        return label;
      },
    });
    const real = renderBatch(square, { seed: 3, index: 0, batchSize: 200, params: { brightness: [0.7, 0.9] } });
    const r = fitParams(square, real, { samples: 200, iterations: 60, seed: 1, fit: ['brightness'], statistics: ['ink'] });
    expect(r.fitted.brightness[0]).toBeGreaterThan(0.6);
    expect(r.fitted.brightness[1]).toBeLessThan(1);
    expect(r.statistics.ink!.after).toBeLessThan(0.2);
  });

  it('names the bad argument and says what would be right', () => {
    const bad =
      (options: object, ref: object = reference) =>
      () =>
        fitParams(digits, ref as never, { ...quick, ...options } as never);
    expect(bad({ fit: [] })).toThrow(/fitParams options\.fit: expected a non-empty list of task 'digits' number parameters \(strokeWidth, /);
    expect(bad({ fit: ['thickness'] })).toThrow(
      /fitParams options\.fit\[0\]: task 'digits' has no number parameter "thickness"; it has: strokeWidth, pressure/,
    );
    expect(bad({ fit: ['classWeights'] })).toThrow(OtfgenArgumentError);
    expect(bad({ fit: ['blur', 'blur'] })).toThrow(/options\.fit\[1\]: 'blur' is named twice/);
    expect(bad({ fit: ['blur'], statistics: ['ink', 'colour'] })).toThrow(/fitParams options\.statistics: expected a non-empty list of: ink, cover/);
    expect(bad({ fit: ['blur'], iterations: -1 })).toThrow(/fitParams options\.iterations/);
    expect(bad({ fit: ['blur'], samples: 5 })).toThrow(/fitParams options\.samples/);
    expect(bad({ fit: ['blur'], params: { blur: [0, 7] } })).toThrow(/fitParams options\.params\.blur: expected .* within \[0, 1\]/);
    expect(bad({ fit: ['blur'], params: { thickness: 1 } })).toThrow(
      /fitParams options\.params\.thickness: task 'digits' has no such parameter; it has: strokeWidth/,
    );
    expect(bad({ fit: ['blur'] }, { x: new Float32Array(32 * 32), sampleShape: [32, 32, 1] })).toThrow(
      /fitParams reference\.sampleShape: task 'digits' makes \[28, 28, 1\] samples; the reference images are \[32, 32, 1\]/,
    );
  });
});

describe('otfgen fit', () => {
  it('fits to the training images of --data, writes a report whose params --params @file takes, and prints the tables', async () => {
    const data = await writeIdxDataset(join(dir.path, 'idx'), 40, 10);
    const out = join(dir.path, 'fit', 'digits.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let printed: string;
    try {
      await fitCommand({
        task: digits,
        fit: ['blur', 'strokeWidth'],
        samples: 50,
        referenceSamples: 30,
        iterations: 5,
        seed: 1,
        out,
        data,
        params: { slant: [-5, 5] },
      });
    } finally {
      printed = log.mock.calls.map((c) => c[0]).join('\n');
      log.mockRestore();
    }
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.data).toBe(data);
    expect(Object.keys(report.fitted)).toEqual(['blur', 'strokeWidth']);
    expect(report.params).toEqual({ slant: [-5, 5], ...report.fitted });
    expect(report.distance.after).toBeLessThanOrEqual(report.distance.before);
    expect(report.command).toBe(
      `npx otfgen fit digits --fit blur,strokeWidth --data ${data} --samples 50 --reference-samples 30 --iterations 5 --seed 1 --params '{"slant":[-5,5]}' --out ${out}`,
    );
    expect(printed).toMatch(/\| strokeWidth \| \[1\.5,3\.5\] \|/);
    // --params @file reads the report's params; a plain JSON file is read as it is.
    expect(jsonObject('--params')(`@${out}`)).toEqual(report.params);
    const plain = join(dir.path, 'plain.json');
    await writeFile(plain, '{"blur":[0,0.1]}');
    expect(jsonObject('--params')(`@${plain}`)).toEqual({ blur: [0, 0.1] });
  });

  it('names a missing or bad --params file, an unknown statistic and an unknown task', async () => {
    expect(() => jsonObject('--params')(`@${join(dir.path, 'none.json')}`)).toThrow(/none\.json: cannot read --params: ENOENT/);
    expect(() => jsonObject('--params')('@')).toThrow(/--params: expected a file name after '@'/);
    const bad = join(dir.path, 'bad.json');
    await writeFile(bad, '{"blur":');
    expect(() => jsonObject('--params')(`@${bad}`)).toThrow(new RegExp(`--params: expected JSON, in ${bad}`));
    const base = { fit: ['blur'], samples: 10, referenceSamples: 10, iterations: 1, seed: 1, out: join(dir.path, 'x.json') };
    await expect(fitCommand({ ...base, task: digits, statistics: ['ink', 'hue'] })).rejects.toThrow(
      /--statistics: expected a non-empty list of: ink, cover, .*; got \["ink", "hue"\]/,
    );
    await expect(resolveTask({ task: 'letters' })).rejects.toThrow(/unknown task 'letters'/);
  });
});
