import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError, arraySource, fromIterable, generate, pixelCount, syntheticBatches, warmupSchedule } from '../src/index.js';
import { tracked } from './helpers.js';

const classes = { kind: 'class', classes: 10 } as const;
const real = () => tracked([4], { endless: true, shape: [28, 28, 1], target: classes, offset: 0 }).source;

describe('warmupSchedule', () => {
  it("'switch': synthetic for the warm-up share, then real; flags the task change once", async () => {
    const steps = await warmupSchedule({ synthetic: generate(pixelCount, { seed: 1, batchSize: 4 }), real: real(), totalSteps: 10, warmup: 0.3 }).toArray();
    expect(steps.map((s) => s.phase)).toEqual([...Array(3).fill('warmup'), ...Array(7).fill('real')]);
    expect(steps.map((s) => s.syntheticShare)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(steps.map((s) => s.taskChanged)).toEqual([false, false, false, true, false, false, false, false, false, false]);
    expect(steps[0].target.kind).toBe('regression');
    expect(steps[3].target).toEqual(classes);
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('warm-up as a step count, and the edges 0 and 1', async () => {
    const run = (warmup: number | { steps: number }) =>
      warmupSchedule({ synthetic: generate(pixelCount, { batchSize: 4 }), real: real(), totalSteps: 5, warmup }).toArray();
    expect((await run({ steps: 2 })).map((s) => s.phase)).toEqual(['warmup', 'warmup', 'real', 'real', 'real']);
    expect((await run(0)).every((s) => s.phase === 'real' && !s.taskChanged)).toBe(true);
    expect((await run(1)).every((s) => s.phase === 'warmup')).toBe(true);
  });

  it("'linear' and 'cosine' blend within batches, the share falling to 0 over the window", async () => {
    const reg = { kind: 'regression', size: 1 } as const;
    const synthetic = tracked([64], { endless: true, shape: [28, 28, 1], target: reg, offset: 1000 }).source;
    const realReg = tracked([64], { endless: true, shape: [28, 28, 1], target: reg }).source;
    const steps = await warmupSchedule({ synthetic, real: realReg, totalSteps: 8, warmup: 0.5, blend: 'linear', batchSize: 64, seed: 1 }).toArray();
    expect(steps.map((s) => s.syntheticShare)).toEqual([1, 0.75, 0.5, 0.25, 0, 0, 0, 0]);
    for (const s of steps) {
      const fromSynthetic = Array.from(s.batch.y).filter((v) => v >= 1000).length;
      expect(fromSynthetic / 64).toBe(s.syntheticShare);
    }
    const cos = await warmupSchedule({
      synthetic: tracked([64], { endless: true, shape: [28, 28, 1], target: classes }).source,
      real: real(),
      totalSteps: 4,
      warmup: 1,
      blend: 'cosine',
      batchSize: 64,
    }).toArray();
    expect(cos.map((s) => s.syntheticShare)).toEqual([1, 55 / 64, 32 / 64, 9 / 64]);
  });

  it('rejects bad arguments with clear errors', () => {
    const base = { synthetic: generate(pixelCount), real: real(), totalSteps: 10, warmup: 0.3 };
    expect(() => warmupSchedule({ ...base, warmup: 1.5 })).toThrow(/warmup: expected a number in \[0, 1\]/);
    expect(() => warmupSchedule({ ...base, warmup: -0.1 })).toThrow(OtfgenArgumentError);
    expect(() => warmupSchedule({ ...base, warmup: { steps: 11 } })).toThrow(/warmup.steps/);
    expect(() => warmupSchedule({ ...base, totalSteps: 2.5 })).toThrow(/totalSteps/);
    expect(() => warmupSchedule({ ...base, blend: 'fade' as never })).toThrow(/blend/);
    expect(() => warmupSchedule({ ...base, real: [] as never })).toThrow(/options.real/);
  });

  it('rejects streams whose sample shapes differ, or targets differ when blending', async () => {
    const small = tracked([4], { endless: true, shape: [8, 8, 1], target: classes }).source;
    await expect(warmupSchedule({ synthetic: generate(pixelCount, { batchSize: 4 }), real: small, totalSteps: 4, warmup: 0.5 }).toArray()).rejects.toThrow(
      /options.real: sample shape \[8, 8, 1\] differs from the synthetic stream's \[28, 28, 1\]/,
    );
    await expect(
      warmupSchedule({ synthetic: generate(pixelCount, { batchSize: 4 }), real: real(), totalSteps: 4, warmup: 0.5, blend: 'linear', batchSize: 4 }).toArray(),
    ).rejects.toThrow(/blended batches need one target kind/);
  });

  it('syntheticBatches counts the batches a whole schedule takes from its synthetic stream', async () => {
    const cases = [
      { blend: 'switch', warmup: 0.3, batchSize: 64, synthetic: 64 },
      { blend: 'linear', warmup: 0.3, batchSize: 64, synthetic: 64 },
      { blend: 'cosine', warmup: 0.3, batchSize: 64, synthetic: 64 },
      { blend: 'linear', warmup: 1, batchSize: 10, synthetic: 10 },
      { blend: 'cosine', warmup: { steps: 7 }, batchSize: 64, synthetic: 48 },
      { blend: 'linear', warmup: 0, batchSize: 64, synthetic: 64 },
    ] as const;
    const counted = [];
    for (const c of cases) {
      const syn = tracked([c.synthetic], { endless: true, shape: [28, 28, 1], target: classes });
      const options = { totalSteps: 40, warmup: c.warmup, blend: c.blend, batchSize: c.batchSize };
      await warmupSchedule({
        ...options,
        synthetic: syn.source,
        real: tracked([c.batchSize], { endless: true, shape: [28, 28, 1], target: classes }).source,
      }).toArray();
      expect(syntheticBatches(options, c.synthetic)).toBe(syn.state.pulled);
      counted.push(syn.state.pulled);
    }
    // A blend takes about (warm-up steps + 1) / 2 batches of its size: 6.5 for 12 steps, 20.5 for 40, and 4 x 64 / 48 = 5.3 for 7.
    expect(counted).toEqual([12, 7, 7, 21, 6, 0]);
    expect(() => syntheticBatches({ totalSteps: 10, warmup: 0.5, blend: 'fade' as never })).toThrow(
      /syntheticBatches options.blend: expected 'switch', 'linear' or 'cosine'/,
    );
    expect(() => syntheticBatches({ totalSteps: 10, warmup: 2 })).toThrow(/warmup/);
  });

  it('a stream that ends too early is an error, not a short run', async () => {
    const data = { x: new Uint8Array(8 * 784), y: new Uint8Array(8), sampleShape: [28, 28, 1], target: classes };
    await expect(
      warmupSchedule({ synthetic: generate(pixelCount, { batchSize: 4 }), real: arraySource(data, { batchSize: 4 }), totalSteps: 5, warmup: 0.2 }).toArray(),
    ).rejects.toThrow(/options.real: the stream ended after 2 batches but the schedule needs 4.*epochs: Infinity/);
  });

  // Issue 41: the streams were made once, outside the loop, so the 'linear' case saw them already closed
  // by the 'switch' case: a blend that never closed its sources passed. Each case gets fresh ones.
  it('closes both streams when the consumer stops, switched or blended', async () => {
    for (const blend of ['switch', 'linear', 'cosine'] as const) {
      const syn = tracked([4], { endless: true, shape: [28, 28, 1], target: classes });
      const re = tracked([4], { endless: true, shape: [28, 28, 1], target: classes });
      let n = 0;
      for await (const _ of warmupSchedule({
        synthetic: fromIterable(syn.source),
        real: fromIterable(re.source),
        totalSteps: 100,
        warmup: 0.1,
        blend,
        batchSize: 4,
      })) {
        if (++n === 15) break;
      }
      expect([blend, syn.state.closed, re.state.closed]).toEqual([blend, true, true]);
    }
  });

  // Issue 41: the share rounded with Math.floor instead of Math.round passed every test.
  it('rounds the warm-up share of the steps to the nearest step', async () => {
    const phases = async (warmup: number, totalSteps: number) =>
      (await warmupSchedule({ synthetic: generate(pixelCount, { batchSize: 4 }), real: real(), totalSteps, warmup }).toArray()).filter(
        (s) => s.phase === 'warmup',
      ).length;
    expect(await phases(0.35, 10)).toBe(4); // 3.5 steps: floor would give 3
    expect(await phases(0.26, 10)).toBe(3); // 2.6
    expect(await phases(0.24, 10)).toBe(2); // 2.4: ceil would give 3
    expect(syntheticBatches({ totalSteps: 10, warmup: 0.35 }, 4)).toBe(4);
  });

  // Issue 41: a blend's phase label off by one at the window's end passed every test.
  it("labels a blend's steps 'warmup' exactly within its window", async () => {
    for (const blend of ['linear', 'cosine'] as const) {
      const reg = { kind: 'regression', size: 1 } as const;
      const synthetic = tracked([8], { endless: true, shape: [28, 28, 1], target: reg, offset: 1000 }).source;
      const realReg = tracked([8], { endless: true, shape: [28, 28, 1], target: reg }).source;
      const steps = await warmupSchedule({ synthetic, real: realReg, totalSteps: 10, warmup: 0.3, blend, batchSize: 8 }).toArray();
      expect(steps.map((s) => s.phase)).toEqual([...Array(3).fill('warmup'), ...Array(7).fill('real')]);
      expect(steps[3].syntheticShare).toBe(0);
    }
  });
});
