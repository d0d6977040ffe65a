/**
 * A fair disk baseline: otfgen's imageFolder against torchvision's
 * ImageFolder (PIL, a DataLoader without workers) on the same 10,000 MNIST
 * test images as PNG files, one pass each in batches of 64, alternating in one
 * run (the machine's speed swings between runs; ratios within a run hold).
 * Writes benchmarks/results/disk-baseline.json.
 *
 *   npx tsx benchmarks/peers/disk-baseline.ts [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { arraySource } from '../../src/index.js';
import { imageFolder, mnist, writeImageFolder } from '../../src/node/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const python = '/usr/bin/python3';
const dir = join(tmpdir(), 'otfgen-mnist-test-png-10000');
if (!existsSync(dir)) await writeImageFolder(arraySource(await mnist({ split: 'test' }), { batchSize: 500, shuffle: false }), dir, { count: 10_000 });

async function otfgen(): Promise<{ images: number; passMs: number; imagesPerSecond: number }> {
  const start = performance.now();
  let images = 0;
  for await (const b of await imageFolder(dir, { batchSize: 64, seed: 1, scan: false })) images += b.size;
  const passMs = performance.now() - start;
  return { images, passMs, imagesPerSecond: images / (passMs / 1000) };
}

function torchvision(): { images: number; passMs: number; imagesPerSecond: number } {
  const script = fileURLToPath(new URL('./imagefolder.py', import.meta.url));
  return JSON.parse(execFileSync(python, [script, dir], { encoding: 'utf8' }));
}

const rounds: { otfgen: number; torchvision: number; ratio: number }[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const a = await otfgen();
  const b = torchvision();
  rounds.push({
    otfgen: Math.round(a.imagesPerSecond),
    torchvision: Math.round(b.imagesPerSecond),
    ratio: +(a.imagesPerSecond / b.imagesPerSecond).toFixed(2),
  });
  console.log(`round ${r + 1}: otfgen ${rounds[r].otfgen}/s, torchvision ${rounds[r].torchvision}/s, ratio ${rounds[r].ratio}`);
}
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const version = execFileSync(python, ['-c', 'import torch, torchvision, PIL; print(torch.__version__, torchvision.__version__, PIL.__version__)'], {
  encoding: 'utf8',
}).trim();
const result = {
  command: 'npx tsx benchmarks/peers/disk-baseline.ts',
  date: new Date().toISOString().slice(0, 10),
  files: '10,000 MNIST test images as grey PNGs (28x28), written by writeImageFolder',
  otfgen: 'imageFolder, batches of 64, shuffled, pngjs decode on the main thread',
  peer: `torchvision ImageFolder + DataLoader(batch_size=64, shuffle=True, num_workers=0), Grayscale + ToTensor, torch.set_num_threads(1); torch/torchvision/PIL ${version}`,
  rounds,
  medianImagesPerSecond: { otfgen: median(rounds.map((r) => r.otfgen)), torchvision: median(rounds.map((r) => r.torchvision)) },
  medianRatio: median(rounds.map((r) => r.ratio)),
  note: 'alternating rounds in one run, one pass each, files in the page cache after the first pass; the machine is noisy (2 cores), so compare the ratio',
};
await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
await writeFile(fileURLToPath(new URL('../results/disk-baseline.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n');
console.log(`median: otfgen ${result.medianImagesPerSecond.otfgen}/s, torchvision ${result.medianImagesPerSecond.torchvision}/s, ratio ${result.medianRatio}`);
