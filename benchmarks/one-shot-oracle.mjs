// How much could choosing the warp size gain at most, in a committed one-shot run?
// Picks, with the test set's answers, the best of the random sizes for each seed, and for each
// class of each seed, and compares each pick with one method seed by seed (mean ± standard error).
//
//   node benchmarks/one-shot-oracle.mjs [results folder] [baseline] [sizes, comma-separated]
//
// The per-class pick is an upper bound, not a method: it takes the luckiest of several noisy
// per-class scores, and a model trains all classes together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir = 'benchmarks/results/one-shot', baseline = 'exemplars-thick-x1.25', sizesArg] = process.argv.slice(2);
const sizes = (sizesArg ?? 'exemplars-thick,exemplars-thick-x1.25,exemplars-thick-x1.5,exemplars-thick-x2').split(',');
const { rows } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const standardError = (v) => Math.sqrt(v.reduce((a, x) => a + (x - mean(v)) ** 2, 0) / (v.length - 1) / v.length);

const picks = { 'best size per seed': [], 'best size per class and seed': [] };
const base = [];
for (const seed of seeds) {
  const of = (method) => {
    const row = rows.find((r) => r.seed === seed && r.method === method);
    if (!row) throw new Error(`${join(dir, 'results.json')}: no run of ${method} at seed ${seed}`);
    return row;
  };
  const runs = sizes.map(of);
  base.push(of(baseline).finalAccuracy);
  picks['best size per seed'].push(Math.max(...runs.map((r) => r.finalAccuracy)));
  picks['best size per class and seed'].push(mean(runs[0].perClass.map((_, c) => Math.max(...runs.map((r) => r.perClass[c])))));
}
console.log(`${seeds.length} seeds; sizes: ${sizes.join(', ')}; ${baseline}: ${mean(base).toFixed(3)}`);
for (const [name, acc] of Object.entries(picks)) {
  const d = acc.map((a, i) => 100 * (a - base[i]));
  console.log(`${name}: ${mean(acc).toFixed(3)}, ${mean(d) >= 0 ? '+' : ''}${mean(d).toFixed(1)} ± ${standardError(d).toFixed(1)} points over ${baseline}`);
}
