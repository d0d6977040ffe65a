/**
 * The Node side of generation in workers that the pool's own tests
 * (test/worker-pool.test.ts) cannot reach: which of the parent's flags a
 * worker inherits, the fallback when a flag is per process, how a task's
 * module is named to the workers, and a worker thread that dies.
 */
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { defineTask, digits, OtfgenArgumentError, OtfgenTaskError } from '../src/index.js';
import { generateInWorkers } from '../src/node/index.js';
import { liveWorkerCount, originOf, startWorker, workerExecArgv } from '../src/node/workers/generate.js';

const crashing = new URL('./fixtures/crashing-tasks.mjs', import.meta.url);

/** What a worker started with these flags sees as its execArgv. */
async function flagsSeen(argv: string[]): Promise<string[]> {
  const source = 'import { parentPort } from "node:worker_threads"; parentPort.postMessage(process.execArgv);';
  const w: Worker = startWorker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), argv);
  try {
    return await new Promise((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
  } finally {
    await w.terminate();
  }
}

describe("a worker's Node flags", () => {
  it("are the parent's, minus a main script's code and its input type", () => {
    const argv = [
      '--no-warnings',
      '-e',
      'code()',
      '--input-type=module',
      '--eval=x()',
      '-p',
      '1',
      '--print=2',
      '--eval',
      'y()',
      '--print',
      '3',
      '--import',
      'tsx',
      '--conditions=dev',
    ];
    expect(workerExecArgv(argv)).toEqual(['--no-warnings', '--import', 'tsx', '--conditions=dev']);
    expect(workerExecArgv([])).toEqual([]);
    expect(workerExecArgv(['--enable-source-maps'])).toEqual(['--enable-source-maps']);
    expect(workerExecArgv()).toEqual(workerExecArgv(process.execArgv));
  });

  it('start the worker with them when it takes them', async () => {
    expect(await flagsSeen(['--no-warnings'])).toEqual(['--no-warnings']);
  });

  it('without those Node names as per process (e.g. --trace-gc), keeping the others', async () => {
    expect(await flagsSeen(['--trace-gc', '--no-warnings', '--expose-gc'])).toEqual(['--no-warnings']);
    expect(await flagsSeen(['--trace-gc'])).toEqual([]);
  });

  it('any other failure to start is thrown as it is', () => {
    expect(() => startWorker(new URL('http://example.com/worker.js'), [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_URL_SCHEME' }));
  });
});

describe('the module workers import a task from', () => {
  const definition = { name: 'local', sampleShape: [1], target: { kind: 'regression', size: 1 } as const, params: {}, render: () => 0 };
  const local = defineTask(definition);
  it('taskModule: a path made a file URL, a URL or a package name kept, the task found by name', () => {
    expect(originOf(local, './tasks/mine.js')).toEqual({ module: pathToFileURL(resolve('tasks/mine.js')).href, export: '*' });
    expect(originOf(local, '/abs/mine.js')).toEqual({ module: pathToFileURL('/abs/mine.js').href, export: '*' });
    expect(originOf(local, 'file:///x/mine.js')).toEqual({ module: 'file:///x/mine.js', export: '*' });
    expect(originOf(local, new URL('file:///x/y.js'))).toEqual({ module: 'file:///x/y.js', export: '*' });
    expect(originOf(local, 'data:text/javascript,1')).toEqual({ module: 'data:text/javascript,1', export: '*' });
    expect(originOf(local, 'node:fs')).toEqual({ module: 'node:fs', export: '*' });
    expect(originOf(local, 'my-tasks')).toEqual({ module: 'my-tasks', export: '*' });
    expect(originOf(local, 'my-tasks/file:x')).toEqual({ module: 'my-tasks/file:x', export: '*' });
  });

  it("a task's own origin: a built-in's as it is, another module's path resolved, its export and args kept", () => {
    expect(originOf(digits, undefined)).toBe(digits.origin);
    const own = defineTask({ ...definition, origin: { module: './own.js', export: 'make', args: [2] } });
    expect(originOf(own, undefined)).toEqual({ module: pathToFileURL(resolve('own.js')).href, export: 'make', args: [2] });
    // taskModule wins over the origin.
    expect(originOf(own, 'pkg')).toEqual({ module: 'pkg', export: '*' });
  });

  it('none: refused, naming the option and both ways to give it', () => {
    expect(() => originOf(local, undefined)).toThrow(OtfgenArgumentError);
    expect(() => originOf(local, undefined)).toThrow(
      "generateInWorkers options.taskModule: workers must import task 'local': give taskModule (e.g. import.meta.url of the module that exports it) or define the task with origin: { module, export }",
    );
  });
});

describe('a worker thread that dies', () => {
  it('by exiting: the stream fails naming the worker and its exit code, and no worker is left', async () => {
    const stream = generateInWorkers((await import(crashing.href)).exits, { workers: 2, taskModule: crashing, batchSize: 2 });
    const err = await stream
      .take(3)
      .toArray()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect((err as Error).message).toMatch(/^task 'exits' failed on batch 0: worker [01] exited unexpectedly \(code 3\)$/);
    expect(liveWorkerCount()).toBe(0);
  });

  it("by an error outside the render: the worker's error reaches the consumer, and no worker is left", async () => {
    const stream = generateInWorkers((await import(crashing.href)).throwsLater, { workers: 2, taskModule: crashing, batchSize: 2 });
    const err = await stream.toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtfgenTaskError);
    expect((err as Error).message).toMatch(/^task 'throws-later' failed on batch \d+: thrown outside the render$/);
    expect(liveWorkerCount()).toBe(0);
  });
});
