/**
 * How the `fashion` task's items differ from real Fashion-MNIST, class by
 * class: the mean of the ink pixels (over 0.1), the share of the frame they
 * cover, and the ink's bounding box (first and last row and column), averaged
 * over 5,000 generated items (default parameters, seed 1) and the first
 * 20,000 real training images.
 *
 *   npx tsx benchmarks/fashion-gaps.ts [IDX folder, default out/fashion-mnist] ['{"brightness":[0.5,1]}']
 *
 * The folder is what benchmarks/fashion-mnist-idx.ts writes (or Fashion-MNIST's own files).
 */
import { FASHION_CLASSES, fashion, generate } from '../src/index.js';
import { mnist } from '../src/node.js';

const dir = process.argv[2] ?? 'out/fashion-mnist';
const params = process.argv[3] ? JSON.parse(process.argv[3]) : undefined;

type Stats = { ink: number; cover: number; top: number; bottom: number; left: number; right: number };

/** Per class, the mean of each measure over `count` images; `at(i, p)` is pixel p of image i in [0, 1]. */
function measure(count: number, at: (i: number, p: number) => number, label: (i: number) => number): Stats[] {
  const sums = FASHION_CLASSES.map(() => ({ n: 0, ink: 0, cover: 0, top: 0, bottom: 0, left: 0, right: 0 }));
  for (let i = 0; i < count; i++) {
    const s = sums[label(i)];
    let ink = 0, inkSum = 0, top = 28, bottom = -1, left = 28, right = -1;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = at(i, r * 28 + c);
        if (v <= 0.1) continue;
        ink++;
        inkSum += v;
        top = Math.min(top, r); bottom = Math.max(bottom, r);
        left = Math.min(left, c); right = Math.max(right, c);
      }
    }
    s.n++;
    s.ink += ink ? inkSum / ink : 0;
    s.cover += ink / 784;
    s.top += top; s.bottom += bottom; s.left += left; s.right += right;
  }
  return sums.map(({ n, ...s }) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v / n])) as Stats);
}

const train = await mnist({ split: 'train', dir });
const realCount = Math.min(20000, train.count);
const real = measure(realCount, (i, p) => train.x[i * 784 + p] / 255, (i) => train.y[i]);
const [batch] = await generate(fashion, { seed: 1, batchSize: 5000, params }).take(1).toArray();
const x = batch.x as Float32Array;
const ours = measure(batch.size, (i, p) => x[i * 784 + p], (i) => batch.y[i]);

const f = (v: number, d = 2) => v.toFixed(d);
console.log('| class | ink, real | ink, ours | cover, real | cover, ours | rows, real | rows, ours | columns, real | columns, ours |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
FASHION_CLASSES.forEach((name, c) => {
  const r = real[c], o = ours[c];
  console.log(`| ${name} | ${f(r.ink)} | ${f(o.ink)} | ${f(r.cover)} | ${f(o.cover)} | ${f(r.top, 1)}–${f(r.bottom, 1)} | ${f(o.top, 1)}–${f(o.bottom, 1)} | ${f(r.left, 1)}–${f(r.right, 1)} | ${f(o.left, 1)}–${f(o.right, 1)} |`);
});
