import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arraySource, digits, fromIterable, generate, pixelCountTask, take, warmupSchedule } from '../src/index.js';
import { createModel, evaluate, learningRateAt, logitsTarget, teacherLogits, train } from '../src/harness/index.js';
import { mnist, selectBackend } from '../src/node/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('train', () => {
  it('runs a warm-up schedule: swaps the head, records steps, evaluates, leaks nothing', async () => {
    const [trainSet, testSet] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1 });
    const result = await train({
      model,
      steps: warmupSchedule({
        synthetic: generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 32 }),
        real: arraySource(trainSet, { batchSize: 32, seed: 1, epochs: Infinity }),
        totalSteps: 60,
        warmup: 0.25,
      }),
      lrSchedule: 'one-cycle',
      evaluation: { data: testSet, at: [30], limit: 1000 },
    });
    expect(result.steps.length).toBe(60);
    expect(result.steps.filter((s) => s.phase === 'warmup').length).toBe(15);
    expect(result.steps.findIndex((s) => s.taskChanged)).toBe(15);
    expect(result.steps.every((s) => Number.isFinite(s.loss) && s.dataMs >= 0 && s.computeMs > 0)).toBe(true);
    expect(result.evals.map((e) => e.step)).toEqual([30, 60]);
    expect(result.interrupted).toBe(false);
    // 45 real steps of 32 images already beat chance by far.
    expect(result.final!.accuracy).toBeGreaterThan(0.5);
    expect(result.dataMs + result.computeMs).toBeLessThanOrEqual(result.wallMs + 1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('stops at an abort that comes while it trains (a timer, as a SIGINT handler would), keeping the steps done, and leaks nothing', async () => {
    const testSet = await mnist({ split: 'test' });
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 1, architecture: 'small' });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    // Thousands of steps of batch 8 would take minutes; the abort is seen within 16 of them.
    const result = await train({
      model,
      steps: generate(digits, { seed: 1, batchSize: 8 }),
      totalSteps: 5000,
      signal: ctl.signal,
      evaluation: { data: testSet, limit: 100 },
    });
    expect(ctl.signal.aborted).toBe(true);
    expect(result.steps.length).toBeGreaterThan(0);
    expect(result.steps.length).toBeLessThan(5000);
    expect(result.steps.map((s) => s.step)).toEqual(result.steps.map((_, i) => i));
    expect(result.interrupted).toBe(true);
    // The model as the abort left it is evaluated (the result holds what was done).
    expect(result.final!.step).toBe(result.steps.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('refuses a stream of unknown length without totalSteps, and bad options', async () => {
    const model = createModel();
    await expect(train({ model, steps: generate(pixelCountTask()) })).rejects.toThrow(/totalSteps/);
    await expect(train({ model, steps: generate(pixelCountTask()), totalSteps: 1, lrSchedule: 'cyclic' as never })).rejects.toThrow(/lrSchedule/);
    const small = generate(pixelCountTask({ size: 8 }));
    await expect(train({ model, steps: small, totalSteps: 1 })).rejects.toThrow(/\[8, 8, 1\] does not fit the model's input \[28, 28, 1\]/);
    // A hand-made batch with a class id past the last class, at step 2: named, not trained on silently.
    const [good] = await generate(digits, { seed: 1, batchSize: 4 }).take(1).toArray();
    const wrong = { ...good, y: Int32Array.from([1, 2, 10, 3]) };
    model.dispose();
    const before = tf.memory().numTensors;
    const fresh = createModel({ seed: 1 });
    await expect(train({ model: fresh, steps: fromIterable([good, good, wrong]), totalSteps: 3 })).rejects.toThrow(
      /train options\.steps \(batch of step 2\)\.y\[2\]: class id 10 is outside \[0, 9\]/,
    );
    fresh.dispose();
    expect(tf.memory().numTensors).toBe(before); // nothing left behind by the steps before the bad batch
  });

  it("builds the architectures: 'wide' is the reference layout with wider layers; unknown names are refused", () => {
    const before = tf.memory().numTensors;
    const params = (a: 'reference' | 'wide' | 'small') => {
      const m = createModel({ seed: 1, architecture: a });
      const shapes = m.bodyWeights().map((v) => v.shape);
      m.dispose();
      return shapes;
    };
    expect(params('reference')).toEqual([[3, 3, 1, 8], [8], [3, 3, 8, 16], [16], [400, 64], [64]]);
    expect(params('wide')).toEqual([[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [1600, 128], [128]]);
    expect(params('small').length).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createModel({ architecture: 'huge' as never })).toThrow(
      /createModel options.architecture: expected one of 'reference', 'wide', 'small', got "huge"/,
    );
  });

  it('one-cycle rises then falls', () => {
    const lrs = Array.from({ length: 100 }, (_, i) => learningRateAt('one-cycle', 1, i, 100));
    const peak = lrs.indexOf(Math.max(...lrs));
    expect(peak).toBe(29);
    expect(lrs[0]).toBeLessThan(0.2);
    expect(lrs[99]).toBeLessThan(0.05);
    expect(learningRateAt('constant', 0.5, 7, 100)).toBe(0.5);
  });
});

describe('distillation', () => {
  const classes = { kind: 'class', classes: 10 } as const;

  it("teacherLogits relabels class batches with the mean of the teachers' logits, leaking nothing", async () => {
    const before = tf.memory().numTensors;
    const [a, b] = [createModel({ seed: 1 }), createModel({ seed: 2 })];
    const [plain] = await generate(digits, { seed: 3, batchSize: 5 }).pipe(take(1)).toArray();
    const [taught] = await generate(digits, { seed: 3, batchSize: 5 })
      .pipe(take(1), teacherLogits([a, b]))
      .toArray();
    expect(taught.target).toEqual(logitsTarget(10));
    expect(taught.x).toEqual(plain.x);
    const expected = tf.tidy(() => {
      const xs = tf.tensor4d(plain.x, [5, 28, 28, 1]);
      const la = a.modelFor(classes).predict(xs) as tf.Tensor;
      const lb = b.modelFor(classes).predict(xs) as tf.Tensor;
      return [la.dataSync(), tf.div(tf.add(la, lb), 2).dataSync()];
    });
    expect(taught.y.length).toBe(50);
    expect(Array.from(taught.y)).toEqual(Array.from(expected[1]).map((v) => expect.closeTo(v, 5)));
    // Two different teachers: the mean is not either one's logits.
    expect(Array.from(taught.y)).not.toEqual(Array.from(expected[0]).map((v) => expect.closeTo(v, 5)));
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a temperature makes the student learn the logits by softened cross-entropy (T² · CE of the softmaxes at T), leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const [teacher, student] = [createModel({ seed: 1 }), createModel({ seed: 2 })];
    const [taught] = await generate(digits, { seed: 3, batchSize: 5 })
      .pipe(take(1), teacherLogits([teacher], { temperature: 2 }))
      .toArray();
    expect(taught.target).toEqual({ kind: 'regression', size: 10, temperature: 2 });
    // The temperature changes the loss, not the head: the student's logits head serves both.
    expect(student.modelFor(taught.target)).toBe(student.modelFor(logitsTarget(10)));
    const out = tf.tidy(() => (student.modelFor(taught.target).predict(tf.tensor4d(taught.x, [5, 28, 28, 1])) as tf.Tensor).dataSync());
    // The loss train reports for its first step is that of the weights before it, by the formula, written out here.
    const softmax = (v: ArrayLike<number>, t: number) => {
      const e = Array.from(v, (a) => Math.exp(a / t));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((a) => a / s);
    };
    let ce = 0,
      mse = 0;
    for (let i = 0; i < 5; i++) {
      const p = softmax(taught.y.subarray(i * 10, i * 10 + 10), 2),
        q = softmax(out.subarray(i * 10, i * 10 + 10), 2);
      for (let k = 0; k < 10; k++) ce -= p[k] * Math.log(q[k]);
      for (let k = 0; k < 10; k++) mse += (taught.y[i * 10 + k] - out[i * 10 + k]) ** 2;
    }
    const expected = (4 * ce) / 5;
    const { steps } = await train({
      model: student,
      steps: (async function* () {
        yield taught;
      })(),
      totalSteps: 1,
    });
    expect(steps[0].loss).toBeCloseTo(expected, 4);
    expect(steps[0].loss).not.toBeCloseTo(mse / 50, 2);
    teacher.dispose();
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('logitsTarget and teacherLogits refuse a temperature that is not above 0', () => {
    const teacher = createModel({ seed: 1 });
    for (const t of [0, -1, Number.NaN, Infinity]) {
      expect(() => teacherLogits([teacher], { temperature: t })).toThrow(/teacherLogits options.temperature: expected a finite number above 0/);
      expect(() => logitsTarget(10, t)).toThrow(/logitsTarget temperature: expected a finite number above 0/);
    }
    teacher.dispose();
  });

  it('teacherLogits refuses no teachers, regression batches and samples that do not fit', async () => {
    const teacher = createModel({ seed: 1 });
    expect(() => teacherLogits([])).toThrow(/teacherLogits teachers: expected a non-empty array/);
    await expect(
      generate(pixelCountTask({ target: 'fraction' }), { seed: 1, batchSize: 2 })
        .pipe(take(1), teacherLogits([teacher]))
        .toArray(),
    ).rejects.toThrow(/teacherLogits batch.target: teachers relabel class batches/);
    await expect(
      generate(pixelCountTask({ size: 8, target: { bins: 10 } }), { seed: 1, batchSize: 2 })
        .pipe(take(1), teacherLogits([teacher]))
        .toArray(),
    ).rejects.toThrow(/does not fit the model's input \[28, 28, 1\]/);
    teacher.dispose();
  });

  it('evaluate reads a logits head when asked: the same weights give the same result as the class head', async () => {
    const test = await mnist({ split: 'test' });
    const before = tf.memory().numTensors;
    const model = createModel({ seed: 4 });
    await train({ model, steps: generate(digits, { seed: 4, batchSize: 16 }), totalSteps: 20 });
    const viaClass = await evaluate(model, { data: test, limit: 500 });
    // The option is read: an untrained logits head is another function.
    const untrained = await evaluate(model, { data: test, limit: 500, head: logitsTarget(10) });
    expect(untrained.confusion).not.toEqual(viaClass.confusion);
    // Copy the trained class head into the logits head: the two heads then compute the same function.
    const logitsHead = model.headWeights(logitsTarget(10));
    model.headWeights(classes).forEach((v, i) => logitsHead[i].assign(v));
    const viaLogits = await evaluate(model, { data: test, limit: 500, head: logitsTarget(10) });
    expect(viaLogits.accuracy).toBe(viaClass.accuracy);
    expect(viaLogits.confusion).toEqual(viaClass.confusion);
    await expect(evaluate(model, { data: test, limit: 10, head: logitsTarget(9) })).rejects.toThrow(
      /evaluate options.head: expected a head of 10 outputs \(one per class of the data\), got regression \(9 values\)/,
    );
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('train refuses a bad model, stream or evaluation before the first step, naming it', async () => {
    const test = await mnist({ split: 'test' });
    const model = createModel({ seed: 5 });
    const before = tf.memory().numTensors;
    let steps = 0;
    const run = (o: Partial<Parameters<typeof train>[0]>) =>
      train({ model, steps: generate(digits, { seed: 5, batchSize: 8 }), totalSteps: 3, onStep: () => void steps++, ...o } as Parameters<typeof train>[0]);
    await expect(run({ model: {} as never })).rejects.toThrow(/^train options.model: expected a model made by createModel/);
    await expect(run({ steps: [] as never })).rejects.toThrow(
      /^train options.steps: expected an async iterable of batches or warm-up steps .*fromIterable\(array\) for an array\), got \[\]/,
    );
    // Held-out data is checked now, not after the last step, where it is first read.
    await expect(run({ evaluation: { data: { ...test, y: undefined } as never } })).rejects.toThrow(
      /^train options.evaluation.data.y: expected a typed array of targets, got undefined/,
    );
    await expect(run({ evaluation: { data: { ...test, target: { kind: 'regression', size: 1 } } as never } })).rejects.toThrow(
      /^train options.evaluation.data/,
    );
    await expect(run({ evaluation: { data: test, limit: 0 } })).rejects.toThrow(/^train options.evaluation.limit: expected an integer >= 1, got 0/);
    await expect(run({ feedback: { data: { ...test, x: [1, 2] } as never, every: 1 } })).rejects.toThrow(
      /^train options.feedback.data.x: expected a Uint8Array or Float32Array/,
    );
    expect(steps).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
