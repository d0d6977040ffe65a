import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { syntheticOnlyCommand } from '../src/cli/synthetic-only.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otfgen-so-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('otfgen synthetic-only', () => {
  it('--teacher: trains the teachers, distils into the classifier, records both, and leaks nothing', async () => {
    const out = join(dir, 'distil.json');
    await syntheticOnlyCommand({ task: 'digits', steps: 8, batchSize: 16, seeds: 1, out, backend: 'wasm', teacher: 'reference', teacherSteps: 4, teachers: 2 });
    const before = tf.memory().numTensors;
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.teacher).toEqual({ architecture: 'reference', steps: 4, count: 2 });
    expect(report.command).toBe('npx otfgen synthetic-only --task digits --steps 8 --seeds 1 --teacher reference --teacher-steps 4 --teachers 2 --batch-size 16');
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0];
    expect(run.teacherRealTestAccuracy).toHaveLength(2);
    for (const a of [...run.teacherRealTestAccuracy, run.realTestAccuracy]) expect(a).toBeGreaterThanOrEqual(0);
    expect(run.curve.map((e: { step: number }) => e.step)).toEqual([2, 4, 6, 8]);
    // Every model made by the command was disposed: running it again leaves the count where it was.
    await syntheticOnlyCommand({ task: 'digits', steps: 2, batchSize: 8, seeds: 1, out, backend: 'wasm', teacher: 'reference', teacherSteps: 2 });
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('refuses a task that is not 10 classes, naming --task', async () => {
    await expect(syntheticOnlyCommand({ task: 'pixel-count', steps: 1, batchSize: 8, seeds: 1, out: join(dir, 'x.json'), backend: 'wasm' })).rejects.toThrow(
      /--task: synthetic-only tests on the 10 MNIST digit classes: expected a task with 10 classes, such as digits, got 'pixel-count'/,
    );
  });
});
