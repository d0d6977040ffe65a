import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OtfgenArgumentError, defineTask, digits, exemplarTask, generate, mix, pickExemplars, type Batch } from '../src/index.js';
import { classReweighting } from '../src/adaptive/class-reweighting.js';
import { learnedAugmenter } from '../src/adaptive/learned.js';
import { mixPolicy } from '../src/adaptive/mix-policy.js';
import { policyController } from '../src/adaptive/policy.js';
import { strengthController } from '../src/adaptive/strength.js';
import { createModel, train } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

const CLASSES = { kind: 'class', classes: 10 } as const;
const noWarp = { rotation: 0, scale: 1, shear: 0, shift: 0 };

/** One real exemplar per class (picked with `seed`), and a fresh reference CNN (same seed) with its class head; `before`: the tensor count first. */
async function exemplarSetup(seed: number) {
  const trainSet = await mnist({ split: 'train' });
  const exemplars = exemplarTask(pickExemplars(trainSet, { perClass: 1, seed }));
  const before = tf.memory().numTensors;
  const model = createModel({ seed });
  return { exemplars, before, model, net: model.modelFor(CLASSES) };
}

/** Mean classifier loss the augmenter logged over batches 5-9 (early) and 35-39 (late) of 40. */
function lossTrend(log: readonly { loss: number }[]): { early: number; late: number } {
  const mean = (from: number) => log.slice(from, from + 5).reduce((s, e) => s + e.loss, 0) / 5;
  return { early: mean(5), late: mean(35) };
}

describe('learnedAugmenter', () => {
  it('warps exemplars, keeps labels, is seeded, and learns to raise a fixed classifier loss; no tensor leaks', async () => {
    const { exemplars, before, model, net } = await exemplarSetup(1);
    const run = async () => {
      const aug = learnedAugmenter({ classifier: (x) => net.apply(x) as tf.Tensor, seed: 3, ramp: 5, learningRate: 0.01 });
      const source = generate(exemplars, { seed: 1, batchSize: 32, params: noWarp, batches: 40 });
      const plain = await generate(exemplars, { seed: 1, batchSize: 32, params: noWarp }).take(40).toArray();
      const out = await source.pipe(aug.augment).take(40).toArray();
      const log = aug.log.slice();
      aug.dispose();
      return { out, plain, log };
    };
    const a = await run();
    // Batch 0 comes at ramp 0: unchanged. Later ones are warped, labels kept, values in [0, 1].
    expect(a.out[0].x).toEqual(a.plain[0].x);
    expect(a.out[20].x).not.toEqual(a.plain[20].x);
    a.out.forEach((b, k) => expect(b.y).toEqual(a.plain[k].y));
    expect(a.out.every((b) => b.x.every((v) => v >= 0 && v <= 1 + 1e-6))).toBe(true);
    // The classifier is not trained here, so the sampler alone raises its loss.
    const { early, late } = lossTrend(a.log);
    expect(late).toBeGreaterThan(early);
    expect(a.log[39].values.rotation).toBeLessThanOrEqual(30);
    // Same seed, same classifier: same bytes.
    const b = await run();
    expect(b.out[30].x).toEqual(a.out[30].x);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('with a diversity term keeps the warps of one exemplar apart', async () => {
    const { exemplars, before, model, net } = await exemplarSetup(2);
    // The spread of the rotations the sampler gives 16 copies of one image, after 40 adversarial steps.
    const spreadAfterTraining = async (diversity: number) => {
      const aug = learnedAugmenter({ classifier: (x) => net.apply(x) as tf.Tensor, seed: 1, ramp: 0, learningRate: 0.01, diversity });
      for await (const b of generate(exemplars, { seed: 1, batchSize: 32, params: noWarp, batches: 40 })) aug.step(b);
      const [one] = await generate(exemplars, { seed: 9, batchSize: 1, params: { ...noWarp, classWeights: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] } })
        .take(1)
        .toArray();
      const copies = tf.tensor4d(
        new Float32Array(16 * 784).map((_, i) => one.x[i % 784]),
        [16, 28, 28, 1],
      );
      const params = aug.paramsFor(copies);
      const rotations = Array.from(params.dataSync()).filter((_, i) => i % 5 === 0);
      tf.dispose([copies, params]);
      aug.dispose();
      const mean = rotations.reduce((a, b) => a + b, 0) / 16;
      return Math.sqrt(rotations.reduce((a, r) => a + (r - mean) ** 2, 0) / 16);
    };
    const plain = await spreadAfterTraining(0);
    const diverse = await spreadAfterTraining(3);
    expect(diverse).toBeGreaterThan(plain * 1.5);
    expect(() => learnedAugmenter({ classifier: (x) => x, diversity: -1 })).toThrow(/diversity/);
    expect(() => learnedAugmenter({ classifier: (x) => x, diversity: 1, noiseSize: 0 })).toThrow(/noiseSize/);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("with a teacher maximises the classifier's loss minus teacherWeight times the teacher's", async () => {
    const { exemplars, before, model, net } = await exemplarSetup(1);
    const classifier = (x: tf.Tensor4D) => net.apply(x) as tf.Tensor;
    // The classifier's loss on the warped batches, early and late in 40 steps (the classifier is not trained).
    const trendWith = async (teacherWeight?: number) => {
      const aug = learnedAugmenter({
        classifier,
        seed: 3,
        ramp: 5,
        learningRate: 0.01,
        ...(teacherWeight === undefined ? {} : { teacher: classifier, teacherWeight }),
      });
      for await (const b of generate(exemplars, { seed: 1, batchSize: 32, params: noWarp, batches: 40 })) aug.step(b);
      const trend = lossTrend(aug.log);
      aug.dispose();
      return trend;
    };
    // Alone, the sampler raises the loss; with the classifier itself as a teacher of weight 2 its objective is
    // the loss minus twice the loss, so it lowers it instead.
    const alone = await trendWith();
    const taught = await trendWith(2);
    expect(alone.late).toBeGreaterThan(alone.early);
    expect(taught.late).toBeLessThan(taught.early);
    expect(() => learnedAugmenter({ classifier, teacher: 'ema' as never })).toThrow(/options\.teacher: expected a function/);
    expect(() => learnedAugmenter({ classifier, teacherWeight: 2 })).toThrow(/options\.teacherWeight: needs options\.teacher/);
    expect(() => learnedAugmenter({ classifier, teacher: classifier, teacherWeight: -1 })).toThrow(/teacherWeight/);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('names what is wrong', async () => {
    expect(() => learnedAugmenter({} as never)).toThrow(/options.classifier/);
    expect(() => learnedAugmenter({ classifier: (x) => x, maxRotation: 400 })).toThrow(/maxRotation/);
    const aug = learnedAugmenter({ classifier: (x) => x });
    const regression = (
      await generate(defineTask({ name: 'r', sampleShape: [4, 4, 1], target: { kind: 'regression', size: 1 }, params: {}, render: () => 0 }), { batchSize: 2 })
        .take(1)
        .toArray()
    )[0];
    expect(() => aug.step(regression)).toThrow(/class targets/);
    expect(() => aug.step({ ...regression, sampleShape: [16] })).toThrow(/\[height, width, channels\]/);
    aug.dispose();
    expect(() => aug.step(regression)).toThrow(/disposed/);
  });
});

describe('classReweighting', () => {
  it('gives classes with lower held-out accuracy more samples, keeps the floor, and steers generate', async () => {
    const r = classReweighting({ classes: 10, floor: 0.02 });
    expect(r.weights.every((w) => Math.abs(w - 0.1) < 1e-12)).toBe(true);
    const perClass = [0.99, 0.99, 0.5, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 1];
    r.observe({ step: 25, phase: 'warmup', heldOut: { accuracy: 0.9, loss: 0.3, perClass } });
    expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.weights[2]).toBeGreaterThan(0.5);
    expect(r.weights[9]).toBeCloseTo(0.02, 12);
    expect(r.log).toEqual([{ step: 25, weights: r.weights }]);
    const counts = new Array(10).fill(0);
    for (const b of await generate(digits, { seed: 1, batchSize: 100, params: r.params }).take(5).toArray()) for (const y of b.y) counts[y]++;
    expect(counts[2]).toBeGreaterThan(200);
    expect(Math.max(...counts.filter((_, c) => c !== 2))).toBeLessThan(60);
    // A loss-only signal changes nothing.
    r.observe({ step: 26, phase: 'warmup', loss: 1 });
    expect(r.log.length).toBe(1);
  });

  it('names bad options and signals', () => {
    expect(() => classReweighting({ classes: 10, floor: 0.2 })).toThrow(/floor/);
    expect(() => classReweighting({ classes: 1 })).toThrow(/classes/);
    expect(() => classReweighting({ classes: 3 }).observe({ step: 1, phase: 'warmup', heldOut: { accuracy: 1, loss: 0, perClass: [1, 1] } })).toThrow(
      /perClass/,
    );
  });
});

describe('policyController', () => {
  // A task whose target is the value its `level` parameter took, so the test sees the policy's choice.
  const levels = defineTask({
    name: 'levels',
    sampleShape: [1],
    target: { kind: 'regression', size: 1 },
    params: { level: { min: 0, max: 8, default: 4 }, other: { min: 0, max: 1, default: 0.5 } },
    render: (_rng, p, out, offset) => ((out[offset] = p.level / 8), p.level),
  });

  it('learns to pick the bin with the highest reward, within the steered range, reproducibly', async () => {
    const run = async () => {
      const policy = policyController(levels, { steer: { level: [0, 8] }, bins: 4, seed: 2, learningRate: 0.2 });
      const values: number[] = [];
      for await (const b of generate(levels, { seed: 1, batchSize: 8, params: policy.params, batches: 300 })) {
        const mean = Array.from(b.y).reduce((a, v) => a + v, 0) / b.size;
        values.push(mean);
        // Reward (a stand-in for the classifier loss): higher levels are "harder".
        policy.observe({ step: values.length, phase: 'warmup', loss: mean });
      }
      return { policy, values };
    };
    const { policy, values } = await run();
    expect(policy.log.length).toBe(300);
    // Samples lie in the chosen bin.
    policy.log.forEach((e, k) => expect(Math.abs(values[k] - e.values.level)).toBeLessThanOrEqual(1));
    const p = policy.probabilities().level;
    expect(p[3]).toBeGreaterThan(0.6);
    expect(p[3]).toBeGreaterThan(p[0] * 5);
    expect(policy.log.slice(-50).filter((e) => e.bins.level === 3).length).toBeGreaterThan(30);
    const again = await run();
    expect(again.values).toEqual(values);
  });

  it("with reward 'progress' holds one choice from one evaluation to the next and pays it the held-out loss drop", () => {
    const policy = policyController(levels, { steer: { level: true }, bins: 2, reward: 'progress', seed: 1 });
    let heldOutLoss = 10;
    for (let k = 0; k < 400; k++) {
      policy.params(k);
      // Low levels make progress; the policy only hears it at evaluations, every 5 batches.
      heldOutLoss -= policy.log[k].bins.level === 0 ? 0.01 : 0.001;
      policy.observe({ step: k + 1, phase: 'warmup', loss: 1 });
      if (k % 5 === 4) policy.observe({ step: k + 1, phase: 'warmup', heldOut: { accuracy: 0, loss: heldOutLoss, perClass: [] } });
    }
    const intervals = Array.from({ length: 80 }, (_, i) => policy.log.slice(5 * i, 5 * i + 5).map((e) => e.bins.level));
    for (const bins of intervals) expect(new Set(bins).size).toBe(1);
    expect(new Set(intervals.map((b) => b[0])).size).toBe(2);
    expect(policy.probabilities().level[0]).toBeGreaterThan(0.8);
  });

  it('names bad steering', () => {
    expect(() => policyController(levels, { steer: { nope: true } as never })).toThrow(/steer.nope.*no such parameter/);
    expect(() => policyController(levels, { steer: { level: [0, 9] } })).toThrow(/within \[0, 8\]/);
    expect(() => policyController(levels, { steer: {} })).toThrow(OtfgenArgumentError);
    expect(() => policyController(digits, { steer: { classWeights: true } as never })).toThrow(/weights/);
    expect(() => policyController(levels, { steer: { level: true }, fixed: { level: 2 } })).toThrow(/fixed/);
    expect(() => policyController(levels, { steer: { level: true }, reward: 'fun' as never })).toThrow(/reward/);
  });
});

/** A task whose one-number samples and targets are the value of its `level` parameter (in [0, max]), so a batch shows what it was made with. */
const echoTask = (max: number) =>
  defineTask({
    name: 'echo',
    sampleShape: [1],
    target: { kind: 'regression', size: 1 },
    params: { level: { min: 0, max, default: 0 } },
    render: (_rng, p, out, offset) => ((out[offset] = p.level), p.level),
  });

describe('mixPolicy', () => {
  // Source i makes samples whose target is i, so a batch shows which sources it came from.
  const echo = echoTask(2);
  const sources = () => [0, 1, 2].map((level) => generate(echo, { seed: level, batchSize: 5, params: { level } }));

  it('gives each batch to the source it picks, learns the one with the highest reward, reproducibly', async () => {
    const run = async () => {
      const policy = mixPolicy({ sources: ['zero', 'one', 'two'], seed: 3, learningRate: 0.2 });
      const ys: number[][] = [];
      for await (const b of mix(sources(), policy.weights, { batchSize: 8, seed: 1 }).take(300)) {
        ys.push(Array.from(b.y));
        // Reward (a stand-in for the classifier loss): source 2 is the "hardest".
        policy.observe({ step: ys.length, phase: 'warmup', loss: b.y[0] });
      }
      return { policy, ys };
    };
    const { policy, ys } = await run();
    expect(policy.log.length).toBe(300);
    policy.log.forEach((e, k) => expect(ys[k]).toEqual(new Array(8).fill(e.source)));
    expect(policy.log.map((e) => e.reward)).toEqual(ys.map((y) => y[0]));
    const p = policy.probabilities();
    expect(p[2]).toBeGreaterThan(0.6);
    expect(p[2]).toBeGreaterThan(p[0] * 5);
    expect(policy.current()).toEqual({ zero: p[0], one: p[1], two: p[2] });
    // Early on every source is drawn; late, mostly the rewarded one.
    expect(new Set(policy.log.slice(0, 30).map((e) => e.source)).size).toBe(3);
    expect(policy.log.slice(-50).filter((e) => e.source === 2).length).toBeGreaterThan(30);
    const again = await run();
    expect(again.ys).toEqual(ys);
  });

  it("with reward 'progress' holds one source from one evaluation to the next and pays it the held-out loss drop", () => {
    const policy = mixPolicy({ sources: 2, reward: 'progress', seed: 1 });
    expect(policy.sources).toEqual(['source0', 'source1']);
    let heldOutLoss = 10;
    const chosen: number[] = [];
    for (let k = 0; k < 400; k++) {
      const w = policy.weights(k);
      chosen.push(w.indexOf(1));
      // Source 1 makes progress; the policy only hears it at evaluations, every 5 batches.
      heldOutLoss -= w[1] === 1 ? 0.01 : 0.001;
      policy.observe({ step: k + 1, phase: 'warmup', loss: 1 });
      if (k % 5 === 4) policy.observe({ step: k + 1, phase: 'warmup', heldOut: { accuracy: 0, loss: heldOutLoss, perClass: [] } });
    }
    for (let i = 0; i < 80; i++) expect(new Set(chosen.slice(5 * i, 5 * i + 5)).size).toBe(1);
    expect(policy.probabilities()[1]).toBeGreaterThan(0.8);
  });

  it('names bad options', () => {
    for (const bad of [1, 2.5, 'three', ['a'], ['a', 'a'], ['a', ''], undefined]) {
      expect(() => mixPolicy({ sources: bad as never })).toThrow(/mixPolicy options.sources.*2 or more/);
    }
    expect(() => mixPolicy({ sources: 2, reward: 'fun' as never })).toThrow(/mixPolicy options.reward.*'loss' or 'progress'/);
    expect(() => mixPolicy({ sources: 2, explore: 1 })).toThrow(/mixPolicy options.explore/);
    expect(() => mixPolicy({ sources: 2, learningRate: -1 })).toThrow(/mixPolicy options.learningRate/);
    // A policy over more sources than the mix has is named by mix.
    const policy = mixPolicy({ sources: 4 });
    return expect(mix(sources(), policy.weights, { batchSize: 4 }).take(1).toArray()).rejects.toThrow(/mix\(weights\).*expected 3/);
  });
});

describe('strengthController', () => {
  it('raises the strength while the loss is under the target and lowers it while over, within [0, 1], for the batches it made', async () => {
    const levels = echoTask(1);
    const strength = strengthController({ target: 0.5, step: 0.1, initial: 0.2, params: (s) => ({ level: s }) });
    const seen: number[] = [];
    for await (const b of generate(levels, { seed: 1, batchSize: 4, params: strength.params, batches: 30 })) {
      seen.push(b.y[0]);
      // A stand-in loss that grows with the strength: the controller should settle where it crosses 0.5.
      strength.observe({ step: seen.length, phase: 'real', loss: b.y[0] + 0.05 });
    }
    // Each batch was made at the strength the losses before it left.
    // (Targets are float32.)
    expect(seen[0]).toBeCloseTo(0.2, 6);
    expect(seen[1]).toBeCloseTo(0.3, 6);
    seen.slice(1).forEach((v, k) => expect(v).toBeCloseTo(strength.log[k].strength, 6));
    expect(strength.log.length).toBe(30);
    for (const v of seen.slice(10)) expect(Math.abs(v - 0.45)).toBeLessThanOrEqual(0.1 + 1e-6);
    // A loss with no batch of its own waiting (real data after a warm-up, say) changes nothing.
    strength.observe({ step: 31, phase: 'real', loss: 5 });
    expect(strength.log.length).toBe(30);
    // Clamped to [0, 1].
    const up = strengthController({ target: 1, step: 0.4, params: (s) => s });
    for (let k = 0; k < 5; k++) {
      up.params(k);
      up.observe({ step: k + 1, phase: 'warmup', loss: 0 });
    }
    expect(up.strength).toBe(1);
    expect(up.current()).toEqual({ strength: 1 });
  });

  it('names bad options', () => {
    expect(() => strengthController({ target: -1, params: (s) => s })).toThrow(/strengthController options.target/);
    expect(() => strengthController({ target: 0.5, params: 3 as never })).toThrow(/strengthController options.params.*function/);
    expect(() => strengthController({ target: 0.5, step: 2, params: (s) => s })).toThrow(/options.step/);
    expect(() => strengthController({ target: 0.5, initial: 1.5, params: (s) => s })).toThrow(/options.initial/);
  });
});

describe('train with controllers', () => {
  it('feeds held-out evaluations to the controllers and records their choices per step, leaking nothing', async () => {
    const [trainSet, testSet] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1 });
    const reweight = classReweighting({ classes: 10 });
    const net = model.modelFor(CLASSES);
    const aug = learnedAugmenter({ classifier: (x) => net.apply(x) as tf.Tensor, seed: 1, ramp: 3 });
    const result = await train({
      model,
      steps: generate(digits, { seed: 1, batchSize: 16, params: reweight.params }).pipe(aug.augment),
      totalSteps: 12,
      controllers: [reweight, aug],
      feedback: { data: testSet, every: 5, limit: 200 },
    });
    expect(result.feedback.map((e) => e.step)).toEqual([5, 10]);
    expect(reweight.log.map((e) => e.step)).toEqual([5, 10]);
    expect(result.steps[11].controls!['class-reweighting'].class0).toBeCloseTo(reweight.weights[0], 12);
    expect(result.steps[11].controls!['learned-augmenter'].ramp).toBe(1);
    expect(result.steps[0].controls!['learned-augmenter'].ramp).toBe(0);
    await expect(train({ model, steps: generate(digits), totalSteps: 1, feedback: { data: trainSet, every: 0 } })).rejects.toThrow(/feedback.every/);
    aug.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

describe('exemplarTask', () => {
  it('returns the exemplars unwarped, warps them with each parameter, and is seeded', async () => {
    const testSet = await mnist({ split: 'test' });
    const ex = pickExemplars(testSet, { perClass: 2, seed: 4 });
    expect(Array.from(ex.y)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const task = exemplarTask(ex);
    const [plain] = await generate(task, { seed: 1, batchSize: 20, params: noWarp }).take(1).toArray();
    // Each unwarped sample is one of its class's two exemplars.
    for (let i = 0; i < 20; i++) {
      const img = plain.x.subarray(i * 784, (i + 1) * 784);
      const c = plain.y[i];
      const same = (k: number) => img.every((v, t) => Math.abs(v - ex.x[k * 784 + t]) < 1e-6);
      expect(same(2 * c) || same(2 * c + 1)).toBe(true);
    }
    const mass = (b: Batch) => b.x.reduce((a, v) => a + v, 0);
    for (const params of [
      { ...noWarp, elastic: 2 },
      { ...noWarp, rotation: 20 },
      { ...noWarp, shift: 3 },
    ]) {
      const [warped] = await generate(task, { seed: 1, batchSize: 20, params }).take(1).toArray();
      const [again] = await generate(task, { seed: 1, batchSize: 20, params }).take(1).toArray();
      expect(warped.x).toEqual(again.x);
      expect(warped.x).not.toEqual(plain.x);
      // A mild warp moves ink around, it does not make or lose much of it.
      expect(Math.abs(mass(warped) - mass(plain)) / mass(plain)).toBeLessThan(0.25);
    }
    // Thickness: grey dilation (> 0) adds ink, erosion (< 0) removes it; values stay in [0, 1].
    const [thick] = await generate(task, { seed: 1, batchSize: 20, params: { ...noWarp, thickness: 1 } })
      .take(1)
      .toArray();
    const [thin] = await generate(task, { seed: 1, batchSize: 20, params: { ...noWarp, thickness: -1 } })
      .take(1)
      .toArray();
    const [half] = await generate(task, { seed: 1, batchSize: 20, params: { ...noWarp, thickness: 0.5 } })
      .take(1)
      .toArray();
    expect(mass(thick)).toBeGreaterThan(1.3 * mass(plain));
    expect(mass(thin)).toBeLessThan(0.7 * mass(plain));
    expect(mass(half)).toBeGreaterThan(mass(plain));
    expect(mass(half)).toBeLessThan(mass(thick));
    for (const b of [thick, thin]) expect(b.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(() => generate(task, { params: { thickness: 1.5 } })).toThrow(/thickness/);
    expect(() => generate(task, { params: { elastic: 7 } })).toThrow(/elastic/);
    expect(() => pickExemplars(testSet, { perClass: 2000 })).toThrow(/perClass/);
    for (const bad of [0, 1.5, '2'])
      expect(() => pickExemplars(testSet, { perClass: bad as never })).toThrow(/^pickExemplars options\.perClass: expected an integer >= 1/);
  });
});
