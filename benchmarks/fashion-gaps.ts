/**
 * How the `fashion` task's items differ from real Fashion-MNIST, class by
 * class: the mean of the ink pixels (over 0.1), the share of the frame they
 * cover, and the ink's bounding box (first and last row and column), averaged
 * over 5,000 generated items (default parameters, seed 1) and the first
 * 20,000 real training images.
 *
 *   npx tsx benchmarks/fashion-gaps.ts [IDX folder, default out/fashion-mnist] ['{"brightness":[0.5,1]}'] [--preview real.png]
 *
 * The folder is what benchmarks/fashion-mnist-idx.ts writes (or Fashion-MNIST's own files).
 * `--preview` also writes a grid of real training images, a row per class, laid out as
 * `otfgen preview fashion` lays out generated ones.
 */
import { writeFile } from 'node:fs/promises';
import { FASHION_CLASSES, exemplarTask, fashion, generate, pickExemplars } from '../src/index.js';
import { previewPng } from '../src/harness/index.js';
import { mnist } from '../src/node/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--preview');
const preview = at >= 0 ? args.splice(at, 2)[1] : undefined;
if (at >= 0 && !preview) throw new Error('--preview needs a PNG file name, e.g. --preview fashion-real.png');
const dir = args[0] ?? 'out/fashion-mnist';
const params = args[1] ? JSON.parse(args[1]) : undefined;

type Stats = { ink: number; cover: number; top: number; bottom: number; left: number; right: number };

/** Per class, the mean of each measure over `count` images; `at(i, p)` is pixel p of image i in [0, 1]. */
function measure(count: number, at: (i: number, p: number) => number, label: (i: number) => number): Stats[] {
  const sums = FASHION_CLASSES.map(() => ({ n: 0, ink: 0, cover: 0, top: 0, bottom: 0, left: 0, right: 0 }));
  for (let i = 0; i < count; i++) {
    const s = sums[label(i)];
    let ink = 0,
      inkSum = 0,
      top = 28,
      bottom = -1,
      left = 28,
      right = -1;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = at(i, r * 28 + c);
        if (v <= 0.1) continue;
        ink++;
        inkSum += v;
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
      }
    }
    s.n++;
    s.ink += ink ? inkSum / ink : 0;
    s.cover += ink / 784;
    s.top += top;
    s.bottom += bottom;
    s.left += left;
    s.right += right;
  }
  return sums.map(({ n, ...s }) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v / n])) as Stats);
}

const train = await mnist({ split: 'train', dir });
const realCount = Math.min(20000, train.count);
const real = measure(
  realCount,
  (i, p) => train.x[i * 784 + p] / 255,
  (i) => train.y[i],
);
const [batch] = await generate(fashion, { seed: 1, batchSize: 5000, params }).take(1).toArray();
const x = batch.x as Float32Array;
const ours = measure(
  batch.size,
  (i, p) => x[i * 784 + p],
  (i) => batch.y[i],
);

if (preview) {
  // 100 real images per class to draw from (seed 1), shown unwarped.
  const real = exemplarTask(pickExemplars(train, { perClass: 100, seed: 1 }));
  await writeFile(preview, await previewPng(real, { seed: 1, params: { rotation: 0, scale: 1, shear: 0, shift: 0 } }));
}

const f = (v: number, d = 2) => v.toFixed(d);
console.log('| class | ink, real | ink, ours | cover, real | cover, ours | rows, real | rows, ours | columns, real | columns, ours |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
FASHION_CLASSES.forEach((name, c) => {
  const r = real[c],
    o = ours[c];
  console.log(
    `| ${name} | ${f(r.ink)} | ${f(o.ink)} | ${f(r.cover)} | ${f(o.cover)} | ${f(r.top, 1)}–${f(r.bottom, 1)} | ${f(o.top, 1)}–${f(o.bottom, 1)} | ${f(r.left, 1)}–${f(r.right, 1)} | ${f(o.left, 1)}–${f(o.right, 1)} |`,
  );
});
