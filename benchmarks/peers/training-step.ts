/**
 * The reference CNN's training step, otfgen on wasm (with its training
 * kernels) against PyTorch on the CPU (one thread and two), alternating in
 * one run: each round times 100 steps of each after 10 untimed ones, on the
 * same batch of 64. Writes benchmarks/results/training-step.json.
 *
 *   npx tsx benchmarks/peers/training-step.ts [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { digits, generate } from '../../src/index.js';
import { selectBackend } from '../../src/node/index.js';
import { createModel, SplitAdam, trainStep } from '../../src/harness/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const STEPS = 100,
  WARMUP = 10;
await selectBackend({ backend: 'wasm' });
const model = createModel({ seed: 1 });
const optimizer = new SplitAdam(1e-3);
const [batch] = await generate(digits, { seed: 1, batchSize: 64 }).take(1).toArray();

async function otfgenMedianMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const start = performance.now();
    await trainStep(model, optimizer, batch);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  return median(times);
}

function torchMedianMs(threads: number): number {
  const script = fileURLToPath(new URL('./torch-step.py', import.meta.url));
  return JSON.parse(execFileSync('/usr/bin/python3', [script, String(threads), String(STEPS), String(WARMUP)], { encoding: 'utf8' })).medianMs;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rounds: { otfgenWasm: number; torch1: number; torch2: number }[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const row = { otfgenWasm: await otfgenMedianMs(), torch1: torchMedianMs(1), torch2: torchMedianMs(2) };
  rounds.push(row);
  console.log(`round ${r + 1}: otfgen wasm ${row.otfgenWasm.toFixed(1)} ms, torch 1 thread ${row.torch1.toFixed(1)} ms, 2 threads ${row.torch2.toFixed(1)} ms`);
}
const result = {
  command: 'npx tsx benchmarks/peers/training-step.ts',
  date: new Date().toISOString().slice(0, 10),
  model: 'the reference CNN (conv 3x3x8, max-pool, conv 3x3x16, max-pool, dense 64, dense 10), Adam, batch 64',
  otfgen: `tfjs-backend-wasm ${tf.version_core} with otfgen's training kernels, Node ${process.version}`,
  rounds,
  medianMs: { otfgenWasm: median(rounds.map((r) => r.otfgenWasm)), torch1: median(rounds.map((r) => r.torch1)), torch2: median(rounds.map((r) => r.torch2)) },
  medianRatio: {
    otfgenOverTorch1: median(rounds.map((r) => r.otfgenWasm / r.torch1)),
    otfgenOverTorch2: median(rounds.map((r) => r.otfgenWasm / r.torch2)),
  },
  note: 'each round: otfgen, then PyTorch with 1 and 2 threads, one after another; compare the ratios (the machine is noisy)',
};
await writeFile(fileURLToPath(new URL('../results/training-step.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result.medianRatio));
