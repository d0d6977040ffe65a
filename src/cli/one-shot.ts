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
  console.log('\n' + markdownTable(['method', 'runs', 'real-test accuracy (mean)', 'min..max'], summary.map((s) => [s.method, s.runs, s.accuracy.toFixed(4), `${s.min.toFixed(3)}..${s.max.toFixed(3)}`])));
  for (const p of await writeOneShotOutputs(results, o.out)) console.log(`wrote ${p}`);
  console.log(`backend: ${sel.choice}`);
}
