import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError, OtfgenTaskError, digits, fashion, pixelCount, type Batch } from '../src/index.js';
import { generateInWorkers } from '../src/node/index.js';
import { liveWorkerCount } from '../src/node/workers/generate.js';
// @ts-expect-error a plain ES module fixture (a user's task module)
import { bars, fragile } from './fixtures/user-tasks.mjs';

const fixture = new URL('./fixtures/user-tasks.mjs', import.meta.url);
const workersAlive = liveWorkerCount;
const bytes = (batches: Batch[]) =>
  batches.map((b) =>
    Buffer.concat([Buffer.from(b.x.buffer, b.x.byteOffset, b.x.byteLength), Buffer.from(b.y.buffer, b.y.byteOffset, b.y.byteLength)]).toString('base64'),
  );

describe('generate with workers', () => {
  it('same seed, same bytes, whatever the worker count (1, 2, 4), with per-batch params', async () => {
    const params = (k: number) => ({ slant: (k % 5) * 5, strokeWidth: 2 + (k % 3) * 0.5 });
    const run = async (workers: number, more: { prefetch?: number } = {}) =>
      bytes(
        await generateInWorkers(digits, { seed: 11, batchSize: 32, params, workers, ...more })
          .take(40)
          .toArray(),
      );
    const one = await run(1);
    // By default 16 batches of 32 digits a message: 0-15 from one worker, 16-31 from the other, 32-39 from the first again.
    expect(await run(2)).toEqual(one);
    // prefetch 2: one batch a message, the workers in turn.
    expect(await run(2, { prefetch: 2 })).toEqual(one);
    expect(await run(3, { prefetch: 6 })).toEqual(one);
    // Each fresh batch owns its memory (a copy made on this thread; the workers draw over their own arrays).
    const held = await generateInWorkers(digits, { seed: 11, batchSize: 32, params, workers: 2 }).take(12).toArray();
    expect(new Set(held.flatMap((b) => [b.x.buffer, b.y.buffer])).size).toBe(24);
    expect(held.every((b) => b.x.buffer.byteLength === b.x.byteLength && b.y.buffer.byteLength === b.y.byteLength)).toBe(true);
    expect(bytes(held)).toEqual(one.slice(0, 12));
    // With a deep prefetch and a consumer that pauses, batches wait in the queue holding a worker's arrays: each is still copied as it is taken.
    const it = generateInWorkers(digits, { seed: 11, batchSize: 32, params, workers: 2, prefetch: 6 })[Symbol.asyncIterator]();
    const late: Batch[] = [(await it.next()).value];
    await new Promise((r) => setTimeout(r, 300)); // the other 11 arrive meanwhile, up to 11 batches ahead
    for (let i = 1; i < 12; i++) late.push((await it.next()).value);
    await it.return!();
    expect(new Set(late.flatMap((b) => [b.x.buffer, b.y.buffer])).size).toBe(24);
    expect(late.every((b) => b.x.buffer.byteLength === b.x.byteLength && b.y.buffer.byteLength === b.y.byteLength)).toBe(true);
    expect(bytes(late)).toEqual(one.slice(0, 12));
    expect(await run(4)).toEqual(one);
    const px = async (workers: number) => bytes(await generateInWorkers(pixelCount, { seed: 3, batchSize: 16, startBatch: 5, batches: 6, workers }).toArray());
    expect(await px(3)).toEqual(await px(1));
    // fashion shades in WebAssembly with a canvas per thread: each worker compiles and fills its own.
    const fa = async (workers: number) => bytes(await generateInWorkers(fashion, { seed: 4, batchSize: 32, batches: 8, workers }).toArray());
    expect(await fa(2)).toEqual(await fa(1));
    expect(workersAlive()).toBe(0);
  });

  it('asks params for prefetch batches a worker ahead, sent several to a message (2 MB, at most 16 batches; two messages a worker)', async () => {
    const asked = async (options: { batchSize: number; prefetch?: number }) => {
      const seen: number[] = [];
      const it = generateInWorkers(digits, { seed: 1, workers: 2, params: (k: number) => (seen.push(k), {}), ...options })[Symbol.asyncIterator]();
      await it.next();
      await it.return!();
      return seen;
    };
    // 32 digits are 100 KB: 16 batches a message, 32 ahead a worker.
    expect(await asked({ batchSize: 32 })).toEqual([...Array(64).keys()]);
    // 1,024 digits are 3.2 MB: one batch a message, two ahead a worker, as with one batch a message before.
    expect((await asked({ batchSize: 1024 })).length).toBe(4);
    // A prefetch of your own: that many batches ahead a worker, half of them a message.
    expect(await asked({ batchSize: 32, prefetch: 4 })).toEqual([...Array(8).keys()]);
    expect(workersAlive()).toBe(0);
  });

  it("runs a user's task from its module (taskModule) and keeps order", async () => {
    const inline = await generateInWorkers(bars, { seed: 2, batchSize: 10 }).take(8).toArray();
    const parallel = await generateInWorkers(bars, { seed: 2, batchSize: 10, workers: 2, taskModule: fixture }).take(8).toArray();
    expect(bytes(parallel)).toEqual(bytes(inline));
    expect(parallel[0].sampleShape).toEqual([8, 8, 1]);
    expect(parallel[0].y).toBeInstanceOf(Int32Array);
  });

  it('a failing batch reaches the consumer as a typed error naming task and batch; no worker is left', async () => {
    const stream = generateInWorkers(fragile, { seed: 1, batchSize: 4, workers: 2, params: (k: number) => ({ explode: k === 3 ? 1 : 0 }) });
    const seen: number[] = [];
    const err = await (async () => {
      let k = 0;
      for await (const _ of stream) seen.push(k++);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect(err.message).toMatch(/task 'fragile' failed on batch 3: broken on purpose/);
    expect(seen).toEqual([0, 1, 2]);
    expect(workersAlive()).toBe(0); // return() and failures settle once every worker has exited: no wait
  });

  it('breaking out of for-await stops every worker', async () => {
    let n = 0;
    for await (const _ of generateInWorkers(digits, { seed: 1, batchSize: 64, workers: 2 })) {
      expect(workersAlive()).toBe(2);
      if (++n === 5) break;
    }
    expect(workersAlive()).toBe(0); // return() and failures settle once every worker has exited: no wait
  });

  it('a task workers cannot import is refused up front; a module without it fails with a clear error', async () => {
    const { defineTask } = await import('../src/index.js');
    const local = defineTask({ name: 'local', sampleShape: [1], target: { kind: 'regression', size: 1 }, params: {}, render: () => 0 });
    expect(() => generateInWorkers(local, { workers: 2 })).toThrow(OtfgenArgumentError);
    expect(() => generateInWorkers(local, { workers: 2 })).toThrow(/taskModule/);
    await expect(generateInWorkers(local, { workers: 2, taskModule: fixture }).take(1).toArray()).rejects.toThrow(/cannot rebuild the task in a worker/);
    // Every worker has exited by the time the error arrives (no wait needed).
    expect(workersAlive()).toBe(0);
    expect(() => generateInWorkers(digits, { workers: 0 })).toThrow(/workers/);
    // A bad batch size is named as such.
    expect(() => generateInWorkers(digits, { workers: 2, batchSize: 'big' as never })).toThrow(/batchSize/);
    expect(() => generateInWorkers(digits, { workers: 2, prefetch: 0 })).toThrow(/options\.prefetch/);
    expect(workersAlive()).toBe(0); // return() and failures settle once every worker has exited: no wait
  });
});

describe('recycled batch memory', () => {
  it('renderBatch into reused arrays: zeroed first, the same bytes as fresh ones; wrong arrays are refused by name', async () => {
    const { defineTask, renderBatch } = await import('../src/index.js');
    // Writes one value per sample and relies on the rest being 0.
    const sparse = defineTask({
      name: 'sparse',
      sampleShape: [3],
      target: { kind: 'class', classes: 3 },
      params: {},
      render: (rng, _p, out, offset, label) => ((out[offset + label] = rng.next()), label),
    });
    const fresh = renderBatch(sparse, { seed: 4, index: 2, batchSize: 5 });
    const dirty = { x: new Float32Array(15).fill(7), y: new Int32Array(5).fill(9) };
    const reused = renderBatch(sparse, { seed: 4, index: 2, batchSize: 5, into: dirty });
    expect(reused.x).toBe(dirty.x);
    expect(bytes([reused])).toEqual(bytes([fresh]));
    const d0 = renderBatch(digits, { seed: 1, index: 3, batchSize: 8 });
    expect(bytes([renderBatch(digits, { seed: 1, index: 3, batchSize: 8, into: renderBatch(digits, { seed: 9, index: 0, batchSize: 8 }) })])).toEqual(
      bytes([d0]),
    );
    expect(() => renderBatch(sparse, { index: 0, batchSize: 5, into: { x: new Float32Array(14), y: new Int32Array(5) } })).toThrow(
      /renderBatch options\.into\.x.*15 values/,
    );
    expect(() => renderBatch(sparse, { index: 0, batchSize: 5, into: { x: new Float32Array(15), y: new Float32Array(5) } })).toThrow(
      /renderBatch options\.into\.y.*Int32Array/,
    );
  });

  it('generate with recycle (1 or 2 workers): the same bytes; the batch before is detached once the next is asked for; no worker left', async () => {
    const one = bytes(await generateInWorkers(digits, { seed: 5, batchSize: 16, batches: 10 }).toArray());
    for (const workers of [1, 2]) {
      const seen: string[] = [];
      let previous: Batch | null = null;
      for await (const b of generateInWorkers(digits, { seed: 5, batchSize: 16, batches: 10, workers, prefetch: 1, recycle: true })) {
        if (previous) expect(previous.x.length).toBe(0); // its memory is drawn over next
        expect(b.x.length).toBe(16 * 784);
        seen.push(...bytes([b]));
        previous = b;
      }
      expect(seen).toEqual(one);
    }
    expect(() => generateInWorkers(digits, { workers: 2, recycle: 'yes' as never })).toThrow(OtfgenArgumentError);
    expect(() => generateInWorkers(digits, { workers: 2, recycle: 'yes' as never })).toThrow(/options\.recycle/);
    expect(workersAlive()).toBe(0); // return() and failures settle once every worker has exited: no wait
  });

  // Issue 40, item 13: kept recycled batches failed later with "has 0 values", saying nothing of why.
  it('a recycled batch kept past its turn says it was recycled and how to keep one', async () => {
    const { checkBatch } = await import('../src/index.js');
    const kept = await generateInWorkers(digits, { seed: 5, batchSize: 8, batches: 3, recycle: true }).toArray();
    expect(() => checkBatch('batch', kept[0])).toThrow(
      /^batch\.x: is empty: the batch was recycled .*copy a batch to keep it: \{ \.\.\.b, x: b\.x\.slice\(\), y: b\.y\.slice\(\) \}/,
    );
    expect(() => checkBatch('batch', kept[2])).not.toThrow(); // the last is still lent
  });
});

// Issue 40, item 17: a string thrown by render came back from a worker as "task 'x' failed on batch 0: task 'x' failed on batch 0: ...".
describe('a render that throws a string', () => {
  it('is reported once, the same in one thread and in workers', async () => {
    const module = new URL('./fixtures/throws-string.mjs', import.meta.url);
    const { stringly } = await import(module.href);
    const { generate } = await import('../src/index.js');
    const here = await generate(stringly)
      .take(1)
      .toArray()
      .catch((e: Error) => e);
    const there = await generateInWorkers(stringly, { workers: 2, taskModule: module })
      .take(1)
      .toArray()
      .catch((e: Error) => e);
    for (const e of [here, there]) {
      expect(e).toBeInstanceOf(OtfgenTaskError);
      expect((e as Error).message).toBe("task 'stringly' failed on batch 0: broken on purpose");
    }
  });
});

// Issue 40, item 16: a TypeScript task module failed in workers ("Unknown file extension .ts"): a worker does not inherit its parent's loader.
describe('a task module written in TypeScript', () => {
  it('runs in workers (through tsx) with the same bytes as in one thread', async () => {
    const module = new URL('./fixtures/ts-task.ts', import.meta.url);
    const { dots } = await import('./fixtures/ts-task.js');
    const { generate } = await import('../src/index.js');
    const bytes = (bs: Batch[]) => bs.map((b) => [Array.from(b.x), Array.from(b.y)]);
    const here = await generate(dots, { seed: 3, batchSize: 8 }).take(6).toArray();
    const there = await generateInWorkers(dots, { seed: 3, batchSize: 8, workers: 2, taskModule: module }).take(6).toArray();
    expect(bytes(there)).toEqual(bytes(here));
  });
});

// Issue 40, items 4 and 5: fitDataset never closes a pass it leaves unfinished, so each call left two worker
// threads (and ~50 MB) behind; and an endless stream without batchesPerEpoch made fitDataset wait forever.
describe('model.fitDataset on worker streams', () => {
  const model = async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    await tf.setBackend('cpu');
    const net = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10, activation: 'softmax' })] });
    net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    return net;
  };

  it('the documented pattern (batchesPerEpoch, then close) leaves no thread running', async () => {
    const { toDataset } = await import('../src/index.js');
    const net = await model();
    const before = liveWorkerCount();
    const data = toDataset(generateInWorkers(digits, { seed: 1, batchSize: 16, workers: 2 }));
    const history = await net.fitDataset(data, { epochs: 2, batchesPerEpoch: 3, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(liveWorkerCount()).toBe(before + 2); // tfjs left the pass open
    await data.close();
    expect(liveWorkerCount()).toBe(before);
    net.dispose();
  });

  it('an endless stream without batchesPerEpoch is refused, naming it, instead of never ending', async () => {
    const { OtfgenArgumentError, generate, toDataset } = await import('../src/index.js');
    const net = await model();
    const data = toDataset(generate(digits, { seed: 1, batchSize: 16 }));
    const err = await net.fitDataset(data, { epochs: 1, verbose: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtfgenArgumentError);
    expect((err as Error).message).toMatch(/^fitDataset options\.batchesPerEpoch: the stream is endless, so an epoch never ends without it/);
    // A finite stream has a size, and needs neither.
    expect(toDataset(generate(digits, { seed: 1, batches: 4 })).size).toBe(4);
    net.dispose();
  });
});

describe('generate with workers, as a whole program', () => {
  // Skipped under mutation testing (npm run mutate): 4 s a mutant, for an exit race the other closing tests also reach.
  it.skipIf(process.env.OTFGEN_MUTATION)(
    'many short streams, each left by break, never end the process early',
    async () => {
      const { execFileSync } = await import('node:child_process');
      const { fileURLToPath } = await import('node:url');
      // A bug once let Node exit silently (code 0) while a batch was awaited: run the pattern in a child.
      const script = `
      import { digits } from 'otfgen';
      import { generateInWorkers } from 'otfgen/node';
      let total = 0;
      for (let round = 0; round < 15; round++) {
        let k = 0;
        for await (const b of generateInWorkers(digits, { seed: round, batchSize: 64, workers: 2 })) { total += b.size; if (++k === 25) break; }
      }
      console.log('finished', total);`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        encoding: 'utf8',
      });
      expect(out.trim()).toBe(`finished ${15 * 25 * 64}`);
    },
    60_000,
  );

  it('runs under per-process Node flags that workers refuse (node --trace-gc), with the same bytes', async () => {
    const { execFileSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = `
      import { createHash } from 'node:crypto';
      import { digits, generate as here } from 'otfgen';
      import { generateInWorkers } from 'otfgen/node';
      const hash = async (s) => { const h = createHash('sha256'); for await (const b of s) h.update(new Uint8Array(b.x.buffer)); return h.digest('hex'); };
      const a = await hash(generateInWorkers(digits, { seed: 2, batchSize: 32, batches: 4, workers: 2 }));
      const b = await hash(here(digits, { seed: 2, batchSize: 32, batches: 4 }));
      console.log('RESULT', a === b, a.length);`;
    const out = execFileSync(process.execPath, ['--trace-gc', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(out.split('\n').find((l) => l.startsWith('RESULT'))).toBe('RESULT true 64');
  }, 60_000);
});
