/** Test helpers: small batch streams with known contents, and a temporary folder for tests of CLI commands. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { allocBatch, type Batch, type TargetSpec } from '../src/index.js';

/** The built CLI, which `--jobs` runs in child processes (npm ci builds it through `prepare`). */
export const builtCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The study runner's launcher (benchmarks/study/cli.mjs): what the study commands' --jobs children run. */
export const studyCli = fileURLToPath(new URL('../benchmarks/study/cli.mjs', import.meta.url));

/**
 * A script to run as `--jobs`'s CLI that appends each child's arguments (one JSON line) to a file in
 * `dir`, then runs the built CLI; `calls()` reads them back.
 */
export async function recordingCli(dir: string): Promise<{ script: string; calls: () => Promise<string[][]> }> {
  const script = join(dir, 'cli-recording.mjs');
  const log = join(dir, 'cli-calls.jsonl');
  await writeFile(
    script,
    `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
await import(${JSON.stringify(pathToFileURL(studyCli).href)});
`,
  );
  return {
    script,
    calls: async () =>
      (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[]),
  };
}

/**
 * For a file of CLI command tests: a temporary folder (its `path` is set
 * before the tests) and console.log silenced, both undone after them.
 */
export function commandTestDir(prefix: string): { path: string } {
  const dir = { path: '' };
  beforeAll(async () => {
    dir.path = await mkdtemp(join(tmpdir(), prefix));
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(dir.path, { recursive: true, force: true });
  });
  return dir;
}

/** A batch whose sample i has every value equal to (start + i) / 1000 and target start + i. */
export function numbered(start: number, size: number, shape: number[] = [2], target: TargetSpec = { kind: 'regression', size: 1 }): Batch {
  const b = allocBatch(size, shape, target);
  const n = shape.reduce((a, c) => a * c, 1);
  for (let i = 0; i < size; i++) {
    b.x.fill((start + i) / 1000, i * n, (i + 1) * n);
    b.y[i] = target.kind === 'class' ? (start + i) % target.classes : start + i;
  }
  return b;
}

/** An async generator of numbered batches that records whether it was closed. */
export function tracked(sizes: number[], opts: { shape?: number[]; target?: TargetSpec; endless?: boolean; failAt?: number; offset?: number } = {}) {
  const state = { closed: false, pulled: 0 };
  async function* gen(): AsyncGenerator<Batch> {
    let start = opts.offset ?? 0;
    try {
      for (let k = 0; opts.endless || k < sizes.length; k++) {
        if (opts.failAt === k) throw new Error(`boom at ${k}`);
        const size = sizes[k % sizes.length];
        state.pulled++;
        yield numbered(start, size, opts.shape, opts.target);
        start += size;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: { [Symbol.asyncIterator]: gen } as AsyncIterable<Batch> };
}

/**
 * A dataset in MNIST's four IDX files, in the folder `dir` (made if missing; returned), as `mnist({ dir })` and the CLI's `--data` read them: seeded random
 * images, labels cycling 0..9.
 */
export async function writeIdxDataset(dir: string, trainCount: number, testCount: number): Promise<string> {
  const { writeIdx } = await import('../src/node/index.js');
  await mkdir(dir, { recursive: true });
  const { Rng } = await import('../src/index.js');
  const rng = new Rng(`idx-dataset/${trainCount}/${testCount}`);
  for (const [prefix, count] of [
    ['train', trainCount],
    ['t10k', testCount],
  ] as const) {
    const x = new Uint8Array(count * 784).map(() => rng.int(256));
    await writeIdx(join(dir, `${prefix}-images-idx3-ubyte`), x, [count, 28, 28]);
    await writeIdx(
      join(dir, `${prefix}-labels-idx1-ubyte`),
      Uint8Array.from({ length: count }, (_, i) => i % 10),
      [count],
    );
  }
  return dir;
}

/** All target values of a list of batches, in order. */
export function targets(batches: Batch[]): number[] {
  return batches.flatMap((b) => Array.from(b.y));
}

/** Sum of any numeric array. */
export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** What `f` throws, checked to be a `kind` when one is given; fails the test when `f` returns. */
export function thrownBy(f: () => unknown, kind?: new (...args: never[]) => Error): Error {
  try {
    f();
  } catch (e) {
    if (kind) expect(e).toBeInstanceOf(kind);
    return e as Error;
  }
  throw new Error('expected a throw');
}
