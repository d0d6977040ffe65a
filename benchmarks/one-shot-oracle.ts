// How much could choosing the warp size gain at most, in a committed one-shot run?
// Picks, with the test set's answers, the best of the random sizes for each seed, and for each
// class of each seed, and compares each pick with one method seed by seed (mean ± standard error,
// by summariseOneShot, as the one-shot table's --baseline column).
//
//   npx tsx benchmarks/one-shot-oracle.ts [results folder] [baseline] [sizes, comma-separated]
//
// The per-class pick is an upper bound, not a method: it takes the luckiest of several noisy
// per-class scores, and a model trains all classes together.
import { join } from 'node:path';
import { loadOneShotResults, summariseOneShot, type OneShotRow } from './study/one-shot.js';

const [dir = 'benchmarks/results/one-shot', baseline = 'exemplars-thick-x1.25', sizesArg] = process.argv.slice(2);
const sizes = (sizesArg ?? 'exemplars-thick,exemplars-thick-x1.25,exemplars-thick-x1.5,exemplars-thick-x2').split(',');
const results = await loadOneShotResults(dir);
const seeds = [...new Set(results.rows.map((r) => r.seed))].sort((a, b) => a - b);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const PER_SEED = 'best size per seed';
const PER_CLASS = 'best size per class and seed';
const rows: OneShotRow[] = [];
for (const seed of seeds) {
  const of = (method: string) => {
    const row = results.rows.find((r) => r.seed === seed && r.method === method);
    if (!row) throw new Error(`${join(dir, 'results.json')}: no run of ${method} at seed ${seed}`);
    return row;
  };
  const runs = sizes.map(of);
  const pick = (method: string, finalAccuracy: number): OneShotRow => ({ method, seed, finalAccuracy, finalLoss: NaN, perClass: [], wallMs: 0 });
  rows.push(
    of(baseline),
    pick(PER_SEED, Math.max(...runs.map((r) => r.finalAccuracy))),
    pick(PER_CLASS, mean(runs[0].perClass.map((_, c) => Math.max(...runs.map((r) => r.perClass[c]))))),
  );
}
const summary = summariseOneShot({ config: results.config, rows }, baseline);
console.log(`${seeds.length} seeds; sizes: ${sizes.join(', ')}; ${baseline}: ${summary.find((s) => s.method === baseline)!.accuracy.toFixed(3)}`);
for (const name of [PER_SEED, PER_CLASS]) {
  const s = summary.find((x) => x.method === name)!;
  const d = s.vsBaseline!;
  console.log(
    `${name}: ${s.accuracy.toFixed(3)}, ${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(1)} ± ${(100 * d.standardError).toFixed(1)} points over ${baseline}`,
  );
}
