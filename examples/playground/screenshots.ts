/**
 * The README's screenshots of the playground: a task grid, and the warm-up
 * chart mid-training, taken in Debian's Chromium (playwright-core).
 *
 *   npx tsx examples/playground/screenshots.ts [--out benchmarks/results/playground]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { buildPlayground, bundles, launchChromium } from './build.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'benchmarks/results/playground' } } });
const out = resolve(values.out!);
await mkdir(out, { recursive: true });
const site = await mkdtemp(join(tmpdir(), 'otfgen-playground-'));
await buildPlayground(site);
const server = await esbuild.context(bundles(site)[1]);
const browser = await launchChromium();
try {
  const { port } = await server.serve({ servedir: site, host: '127.0.0.1' });
  const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/?backend=wasm`);
  await page.evaluate(() => window.playground.ready);
  await page.waitForFunction(() => document.querySelector('#hash')?.textContent !== '…');
  await page
    .locator('section')
    .nth(0)
    .screenshot({ path: join(out, 'tasks.png') });
  await page.fill('#steps', '1000');
  await page.click('#start');
  // Mid-training: after the accuracy at step 200 is drawn.
  await page.waitForFunction(() => /^step 2\d\d:/.test(document.querySelector('#status')?.textContent ?? ''), undefined, { timeout: 300_000 });
  await page
    .locator('section')
    .nth(1)
    .screenshot({ path: join(out, 'training.png') });
  if (await page.isEnabled('#stop')) await page.click('#stop');
  console.log(`wrote ${join(out, 'tasks.png')}, ${join(out, 'training.png')}`);
} finally {
  await browser.close();
  await server.dispose();
  await rm(site, { recursive: true, force: true });
}
