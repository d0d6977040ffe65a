/** `otfgen one-shot`: one real image per class; random warps against learned and adaptive ones. */
import { mnist } from '../sources/mnist.js';
import { runOneShot, summariseOneShot, writeOneShotOutputs, type OneShotConfig } from '../harness/one-shot.js';
import { markdownTable, useBackend } from './common.js';

export async function oneShotCommand(o: OneShotConfig & { out: string; backend: string }): Promise<void> {
  const sel = await useBackend(o.backend);
  const [train, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
  console.log(`one-shot MNIST: ${o.perClass ?? 1} real image(s) per class; ${o.methods.join(', ')}; seeds 1..${o.seeds}; ${o.steps} steps of ${o.batchSize} -> ${o.out}`);
  const results = await runOneShot(o, {
    train,
    test,
    outDir: o.out,
    onRun: (r) => console.log(`  ${r.method} seed ${r.seed}: accuracy ${r.finalAccuracy.toFixed(4)} in ${(r.wallMs / 1000).toFixed(1)} s`),
  });
  const summary = summariseOneShot(results);
  const paired = o.baseline === undefined ? [] : [`minus ${o.baseline}, seed by seed (mean ± standard error)`];
  const rows = summary.map((s) => {
    const d = s.vsBaseline;
    const se = d && d.seeds > 1 ? ` ± ${(100 * d.standardError).toFixed(1)}` : '';
    const diff = d ? [s.method === o.baseline ? '' : `${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(1)}${se} points`] : [];
    return [s.method, s.runs, s.accuracy.toFixed(4), `${s.min.toFixed(3)}..${s.max.toFixed(3)}`, ...diff];
  });
  console.log('\n' + markdownTable(['method', 'runs', 'real-test accuracy (mean)', 'min..max', ...paired], rows));
  for (const p of await writeOneShotOutputs(results, o.out)) console.log(`wrote ${p}`);
  console.log(`backend: ${sel.choice}`);
}
