/**
 * The playground page: every built-in task drawn live with its parameters and
 * seed, a warm-up (generated digits, then a real MNIST subset) trained in the
 * page with a live chart, generation in Web Workers, and the wasm training
 * kernels. `window.playground` exposes the same operations to the browser
 * test (test/browser.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  arraySource,
  digits,
  exemplarTask,
  generate,
  parseIdx,
  pickExemplars,
  registerWasmTrainingKernels,
  renderBatch,
  taskByName,
  warmupSchedule,
  type ArrayDataset,
  type Batch,
  type NumberParam,
  type Task,
} from 'otfgen';
import { generateInWebWorkers } from 'otfgen/browser';
// The reference CNN and its training loop: browser-safe modules of the harness (its entry also holds Node-only writers).
import { createModel } from '../../src/harness/models.js';
import { evaluate, train } from '../../src/harness/train.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** sha256 of a batch's bytes, x then y: what Node computes for the same seed and parameters. */
async function batchHash(b: Pick<Batch, 'x' | 'y'>): Promise<string> {
  const bytes = new Uint8Array(b.x.byteLength + b.y.byteLength);
  bytes.set(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength), 0);
  bytes.set(new Uint8Array(b.y.buffer, b.y.byteOffset, b.y.byteLength), b.x.byteLength);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (v) => v.toString(16).padStart(2, '0')).join('');
}

async function idx(name: string): Promise<ArrayDataset['x']> {
  const response = await fetch(`./mnist/${name}`);
  if (!response.ok) throw new Error(`./mnist/${name}: ${response.status}`);
  return parseIdx(new Uint8Array(await response.arrayBuffer()), name).data as Uint8Array;
}

async function mnistSubset(split: 'train' | 't10k'): Promise<ArrayDataset> {
  const [x, y] = await Promise.all([idx(`${split}-images-idx3-ubyte`), idx(`${split}-labels-idx1-ubyte`)]);
  return { x, y: y as Uint8Array, sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } };
}

async function chooseBackend(): Promise<string> {
  setWasmPaths('./');
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  // WebGL where the browser has it, else wasm (with otfgen's training kernels); ?backend=wasm (or cpu) chooses.
  const asked = new URLSearchParams(location.search).get('backend');
  for (const name of asked ? [asked] : ['webgl', 'wasm']) if (await tf.setBackend(name).catch(() => false)) return name;
  await tf.setBackend('cpu');
  return 'cpu';
}

const ready = (async () => {
  const backend = await chooseBackend();
  $('backend').textContent = backend;
  const [trainSet, testSet] = await Promise.all([mnistSubset('train'), mnistSubset('t10k')]);
  const tasks: Record<string, Task<any>> = {
    digits,
    fashion: taskByName('fashion'),
    'pixel-count': taskByName('pixel-count'),
    // One real MNIST image a class, under random warps.
    exemplars: exemplarTask(pickExemplars(trainSet, { perClass: 1, seed: 1 })),
  };
  return { backend, trainSet, testSet, tasks };
})();

/** One batch of `perRow * rows` samples of a task, as the grid shows it. */
function gridBatch(task: Task<any>, seed: number, params: Record<string, unknown>, size = 100): Batch {
  return renderBatch(task, { seed, index: 0, batchSize: size, params: params as never });
}

function drawGrid(canvas: HTMLCanvasElement, b: Batch, perRow = 10, scale = 2): void {
  const [h, w, c] = b.sampleShape;
  const rows = Math.ceil(b.size / perRow);
  canvas.width = perRow * (w * scale + 2) + 2;
  canvas.height = rows * (h * scale + 2) + 2;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#606060';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(w, h);
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  ctx.imageSmoothingEnabled = false;
  for (let k = 0; k < b.size; k++) {
    for (let p = 0; p < h * w; p++) {
      for (let ch = 0; ch < 3; ch++) img.data[p * 4 + ch] = Math.round(255 * Math.min(1, Math.max(0, b.x[(k * h * w + p) * c + (c === 3 ? ch : 0)])));
      img.data[p * 4 + 3] = 255;
    }
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.drawImage(tmp, 2 + (k % perRow) * (w * scale + 2), 2 + Math.floor(k / perRow) * (h * scale + 2), w * scale, h * scale);
  }
}

/** A control for each number parameter: off uses the task's default (a range), on fixes the value. */
function paramControls(task: Task<any>, onChange: () => void): () => Record<string, unknown> {
  const box = $('params');
  box.replaceChildren();
  const read: (() => [string, unknown] | null)[] = [];
  for (const [key, spec] of Object.entries(task.params)) {
    if ((spec as { type?: string }).type === 'weights') continue;
    const p = spec as NumberParam;
    const label = document.createElement('label');
    const fixed = document.createElement('input');
    fixed.type = 'checkbox';
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = String(p.min);
    slider.max = String(p.max);
    slider.step = String(p.integer ? 1 : (p.max - p.min) / 100);
    slider.value = String(Array.isArray(p.default) ? (p.default[0] + p.default[1]) / 2 : p.default);
    const out = document.createElement('output');
    const show = () => (out.textContent = fixed.checked ? slider.value : `default ${JSON.stringify(p.default)}`);
    show();
    label.append(Object.assign(document.createElement('span'), { textContent: key }), fixed, slider, out);
    for (const el of [fixed, slider]) el.addEventListener('input', () => (show(), onChange()));
    box.append(label);
    read.push(() => (fixed.checked ? [key, Number(slider.value)] : null));
  }
  return () => Object.fromEntries(read.map((r) => r()).filter((e): e is [string, unknown] => e !== null));
}

async function setUpTasks(): Promise<void> {
  const { tasks } = await ready;
  const select = $<HTMLSelectElement>('task');
  for (const name of Object.keys(tasks)) select.append(new Option(name, name));
  let params = () => ({});
  const redraw = async () => {
    const task = tasks[select.value];
    const b = gridBatch(task, Number($<HTMLInputElement>('seed').value), params());
    drawGrid($<HTMLCanvasElement>('grid'), b);
    $('hash').textContent = (await batchHash(b)).slice(0, 16);
  };
  const choose = () => {
    params = paramControls(tasks[select.value], redraw);
    void redraw();
  };
  select.addEventListener('change', choose);
  $('seed').addEventListener('input', redraw);
  choose();
}

/** The chart: training loss by step, test accuracy by step, updated as rows arrive. */
async function makeChart(): Promise<vega.View> {
  const line = (data: string, field: string, title: string): object =>
    ({
      width: 320,
      height: 200,
      data: { name: data },
      mark: { type: 'line', point: data === 'accuracy' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field, type: 'quantitative', title, ...(field === 'accuracy' ? { scale: { domain: [0, 1] } } : {}) },
      },
    }) as never;
  const spec = { hconcat: [line('loss', 'loss', 'training loss'), line('accuracy', 'accuracy', 'test accuracy (1,000 real images)')] } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'canvas', container: '#chart', hover: false });
  await view.runAsync();
  return view;
}

let stopper: AbortController | null = null;

/** Trains the reference CNN on a warm-up of generated digits then the real subset; the chart updates as it goes. */
async function trainWarmup(totalSteps: number, share: number, view: vega.View | null): Promise<{ losses: number[]; accuracy: number[] }> {
  const { trainSet, testSet } = await ready;
  stopper = new AbortController();
  const model = createModel({ seed: 1 });
  const losses: number[] = [],
    accuracy: number[] = [];
  const pending: Promise<unknown>[] = [];
  const steps = warmupSchedule({
    synthetic: generate(digits, { seed: 1, batchSize: 64 }),
    real: arraySource(trainSet, { batchSize: 64, seed: 1, epochs: Infinity }),
    totalSteps,
    warmup: share,
  });
  const measure = async (step: number) => {
    const r = await evaluate(model, { data: testSet, limit: 1000 });
    accuracy.push(r.accuracy);
    view?.insert('accuracy', [{ step, accuracy: r.accuracy }]).runAsync();
    $('status').textContent = `step ${step}: test accuracy ${(100 * r.accuracy).toFixed(1)}%`;
  };
  try {
    await train({
      model,
      steps,
      totalSteps,
      signal: stopper.signal,
      onStep: (r) => {
        losses.push(r.loss);
        view?.insert('loss', [{ step: r.step + 1, loss: r.loss }]).runAsync();
        if ((r.step + 1) % 25 === 0) pending.push(measure(r.step + 1));
      },
    });
    await Promise.all(pending);
  } finally {
    stopper = null;
    model.dispose();
  }
  return { losses, accuracy };
}

async function setUpTraining(): Promise<void> {
  await ready;
  const view = await makeChart();
  const share = $<HTMLInputElement>('share');
  share.addEventListener('input', () => ($('shareOut').textContent = share.value));
  $('start').addEventListener('click', async () => {
    ($('start') as HTMLButtonElement).disabled = true;
    ($('stop') as HTMLButtonElement).disabled = false;
    view.remove('loss', () => true).remove('accuracy', () => true);
    try {
      await trainWarmup(Number($<HTMLInputElement>('steps').value), Number(share.value), view);
    } catch (e) {
      $('status').textContent = `stopped: ${(e as Error).message}`;
    }
    ($('start') as HTMLButtonElement).disabled = false;
    ($('stop') as HTMLButtonElement).disabled = true;
  });
  $('stop').addEventListener('click', () => stopper?.abort(new Error('stopped by the user')));
}

/** max |wasm - cpu| over the gradients of conv2d (input and filter) for a few shapes, and tensors left behind. */
async function gradientCheck(): Promise<{ maxDifference: number; leaked: number }> {
  const before = tf.getBackend();
  const shapes: [number[], number[], [number, number], 'same' | 'valid'][] = [
    [[2, 9, 9, 3], [3, 3, 3, 4], [1, 1], 'same'],
    [[1, 12, 10, 2], [3, 5, 2, 3], [1, 2], 'valid'],
    [[2, 8, 8, 4], [5, 5, 4, 2], [2, 2], 'same'],
  ];
  let maxDifference = 0;
  const start = tf.memory().numTensors;
  for (const [xs, ws, strides, pad] of shapes) {
    const values = (shape: number[], k: number) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + k));
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values(xs, 1), xs as never);
      const w = tf.tensor4d(values(ws, 2), ws as never);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))));
      const out = g([x, w]);
      const data = await Promise.all(out.map((t) => t.data()));
      tf.dispose([x, w, ...out]);
      return data;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    cpu.forEach((a, i) => a.forEach((v, j) => (maxDifference = Math.max(maxDifference, Math.abs(v - wasm[i][j]) / Math.max(1, Math.abs(v))))));
  }
  await tf.setBackend(before);
  return { maxDifference, leaked: tf.memory().numTensors - start };
}

/** Hashes of the first `batches` batches made by one thread and by `workers` Web Workers, and whether the workers were stopped. */
async function workerHashes(name: string, seed: number, workers: number, batches: number): Promise<{ one: string[]; workers: string[] }> {
  const { tasks } = await ready;
  const task = tasks[name];
  const one = await generate(task, { seed, batchSize: 32, batches }).toArray();
  const pooled: Batch[] = [];
  for await (const b of generateInWebWorkers(task, { seed, batchSize: 32, workers })) {
    pooled.push(b);
    if (pooled.length === batches) break; // leaving the loop terminates the workers
  }
  return { one: await Promise.all(one.map(batchHash)), workers: await Promise.all(pooled.map(batchHash)) };
}

declare global {
  interface Window {
    playground: {
      ready: Promise<{ backend: string }>;
      gridHash(name: string, seed: number, params: Record<string, unknown>): Promise<string>;
      train(steps: number, share: number): Promise<{ losses: number[]; accuracy: number[] }>;
      workerHashes(name: string, seed: number, workers: number, batches: number): Promise<{ one: string[]; workers: string[] }>;
      gradientCheck(): Promise<{ maxDifference: number; leaked: number }>;
      tensors(): number;
    };
  }
}

window.playground = {
  ready: ready.then(({ backend }) => ({ backend })),
  gridHash: async (name, seed, params) => batchHash(gridBatch((await ready).tasks[name], seed, params)),
  train: (steps, share) => trainWarmup(steps, share, null),
  workerHashes,
  gradientCheck,
  tensors: () => tf.memory().numTensors,
};

void setUpTasks();
void setUpTraining();
