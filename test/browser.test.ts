/**
 * otfgen in a real browser: the playground page built and served, loaded in
 * Debian's Chromium (driven by playwright-core), and checked against Node:
 * the same grid bytes for the same seed and parameters, 50 training steps
 * whose loss falls, Web Workers giving one thread's bytes, and the wasm conv
 * gradients equal to the cpu backend's. Skipped, saying why, where Chromium is
 * not installed (.ci/run installs it).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digits, exemplarTask, pickExemplars, renderBatch, taskByName, type Batch, type Task } from '../src/index.js';
import { mnist } from '../src/node/index.js';
import { bundles, buildPlayground, launchChromium } from '../examples/playground/build.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium) console.warn(`browser.test.ts skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

/** What the page hashes: a batch's x bytes then its y bytes. */
const hash = (b: Batch) =>
  createHash('sha256')
    .update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength))
    .update(new Uint8Array(b.y.buffer, b.y.byteOffset, b.y.byteLength))
    .digest('hex');

describe.skipIf(!hasChromium)('the playground in Chromium', () => {
  let out: string, browser: Browser, page: Page, server: esbuild.BuildContext;
  let defaultBackend = '',
    defaultBackendShown: string | null = null;
  const errors: string[] = [];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'otfgen-playground-'));
    await buildPlayground(out);
    server = await esbuild.context(bundles(out)[1]);
    const { port } = await server.serve({ servedir: out, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    // The page as users get it picks WebGL when the browser has it; here it trains on wasm, as a
    // browser without WebGL does, so that the conv training kernels run in the page.
    const first = await browser.newPage();
    first.on('pageerror', (e) => errors.push(String(e)));
    await first.goto(`http://127.0.0.1:${port}/`);
    defaultBackend = (await first.evaluate(() => window.playground.ready)).backend;
    defaultBackendShown = await first.textContent('#backend');
    await first.close();
    await page.goto(`http://127.0.0.1:${port}/?backend=wasm`);
    await page.evaluate(() => window.playground.ready);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('shows the backend in use: WebGL where the browser has it, else wasm, or the one asked for', async () => {
    expect(['webgl', 'wasm']).toContain(defaultBackend);
    expect(defaultBackendShown).toBe(defaultBackend);
    expect(await page.textContent('#backend')).toBe('wasm');
  });

  it("draws every built-in task with Node's bytes for the same seed and parameters", async () => {
    const train = await mnist({ split: 'train' });
    const subset = { ...train, x: train.x.subarray(0, 2000 * 784), y: train.y.subarray(0, 2000) };
    const tasks: Record<string, Task<any>> = {
      digits,
      fashion: taskByName('fashion'),
      'pixel-count': taskByName('pixel-count'),
      exemplars: exemplarTask(pickExemplars(subset, { perClass: 1, seed: 1 })),
    };
    const cases: [string, number, Record<string, unknown>][] = [
      ['digits', 3, {}],
      ['digits', 4, { slant: 0.2 }],
      ['fashion', 3, {}],
      ['pixel-count', 7, { onProbability: 0.3 }],
      ['exemplars', 2, {}],
    ];
    for (const [name, seed, params] of cases) {
      const node = hash(renderBatch(tasks[name], { seed, index: 0, batchSize: 100, params: params as never }));
      const browser = await page.evaluate(([n, s, p]) => window.playground.gridHash(n, s, p), [name, seed, params] as const);
      expect(browser, `${name} seed ${seed} ${JSON.stringify(params)}`).toBe(node);
    }
  });

  it('trains the reference CNN for 50 steps of a warm-up: the loss falls, and no tensor is left', async () => {
    const before = await page.evaluate(() => window.playground.tensors());
    const { losses, accuracy } = await page.evaluate(() => window.playground.train(50, 0.6));
    expect(losses).toHaveLength(50);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.7 * mean(losses.slice(0, 10)));
    expect(accuracy).toHaveLength(2);
    for (const a of accuracy) expect(a).toBeGreaterThan(0.1);
    expect(await page.evaluate(() => window.playground.tensors())).toBe(before);
  }, 120_000);

  it('generates in Web Workers the bytes of one thread, in order', async () => {
    const { one, workers } = await page.evaluate(() => window.playground.workerHashes('digits', 5, 2, 7));
    expect(one).toHaveLength(7);
    expect(new Set(one).size).toBe(7);
    expect(workers).toEqual(one);
  });

  it('computes conv2d gradients on wasm equal to the cpu backend, leaking nothing', async () => {
    const { maxDifference, leaked } = await page.evaluate(() => window.playground.gradientCheck());
    expect(maxDifference).toBeLessThan(1e-4);
    expect(leaked).toBe(0);
  });

  it('logs no error to the console', () => {
    expect(errors).toEqual([]);
  });
});
