import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUTMIX_ABSENT_LOGIT, OtfgenArgumentError, cutMix, fromIterable, type Batch } from '../src/index.js';

const N = 28 * 28;

/** A batch of `size` flat images: sample s is all (s + 1) / 100, so each pixel names the sample it came from; its class is s % classes. */
function flatBatch(size: number, classes = 10): Batch {
  const x = new Float32Array(size * N);
  for (let s = 0; s < size; s++) x.fill((s + 1) / 100, s * N, (s + 1) * N);
  return { x, y: Int32Array.from({ length: size }, (_, s) => s % classes), size, sampleShape: [28, 28, 1], target: { kind: 'class', classes } };
}

const mixOf = async (batches: Batch[], options: Parameters<typeof cutMix>[0]) => fromIterable(batches).pipe(cutMix(options)).toArray();

/** Per output sample: which input sample each pixel came from. */
function origins(out: Batch, s: number): number[] {
  return Array.from(out.x.subarray(s * N, (s + 1) * N), (v) => Math.round(v * 100) - 1);
}

describe('cutMix', () => {
  it('pastes one rectangle of another sample into each and mixes the two labels by the share of pixels each gave', async () => {
    const input = flatBatch(10);
    const copy = input.x.slice();
    const [out] = await mixOf([input], { seed: 3 });
    expect(out.target).toEqual({ kind: 'regression', size: 10, temperature: 1 });
    expect(out.y).toBeInstanceOf(Float32Array);
    expect(input.x).toEqual(copy); // the input is not written
    let mixed = 0;
    for (let s = 0; s < 10; s++) {
      const from = origins(out, s);
      const others = [...new Set(from.filter((o) => o !== s))];
      expect(others.length).toBeLessThanOrEqual(1);
      const label = Array.from(out.y.subarray(s * 10, (s + 1) * 10), Math.exp);
      expect(label.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const own = from.filter((o) => o === s).length / N;
      expect(label[s]).toBeCloseTo(own, 5);
      if (others.length === 0) continue;
      mixed++;
      const partner = others[0];
      expect(label[partner]).toBeCloseTo(1 - own, 5);
      // The partner's pixels fill their bounding box: one rectangle.
      const at = from.flatMap((o, k) => (o === partner ? [k] : []));
      const rows = at.map((k) => Math.floor(k / 28)),
        cols = at.map((k) => k % 28);
      const box = (Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1);
      expect(at.length).toBe(box);
      for (let c = 0; c < 10; c++) if (c !== s && c !== partner) expect(out.y[s * 10 + c]).toBe(CUTMIX_ABSENT_LOGIT);
    }
    expect(mixed).toBeGreaterThan(5);
  });

  it('keeps a one-hot label where the partner is of the same class, and with p = 0 leaves every image as it was', async () => {
    const [same] = await mixOf([flatBatch(8, 1)], { seed: 1 });
    expect(Array.from(same.y)).toEqual(new Array(8).fill(0)); // log 1: the one class has it all
    expect(new Set(Array.from({ length: 8 }, (_, s) => new Set(origins(same, s)).size)).has(2)).toBe(true);
    const input = flatBatch(6);
    const [kept] = await mixOf([input], { seed: 1, p: 0 });
    expect(kept.x).toEqual(input.x);
    for (let s = 0; s < 6; s++) {
      for (let c = 0; c < 10; c++) expect(kept.y[s * 10 + c]).toBe(c === s ? 0 : CUTMIX_ABSENT_LOGIT);
    }
  });

  it("with labels: 'probabilities', gives the same images and the mixed labels themselves, for a model of one's own", async () => {
    const [logits] = await mixOf([flatBatch(10)], { seed: 3 });
    const [probs] = await mixOf([flatBatch(10)], { seed: 3, labels: 'probabilities' });
    expect(probs.target).toEqual({ kind: 'regression', size: 10 });
    expect(probs.x).toEqual(logits.x);
    for (let i = 0; i < 100; i++) {
      if (logits.y[i] === CUTMIX_ABSENT_LOGIT) expect(probs.y[i]).toBe(0);
      else expect(probs.y[i]).toBeCloseTo(Math.exp(logits.y[i]), 6);
    }
    for (let s = 0; s < 10; s++) expect(Array.from(probs.y.subarray(s * 10, (s + 1) * 10)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('gives the same bytes for the same seed; batch k depends on (seed, k) only', async () => {
    const batches = [flatBatch(16), flatBatch(16), flatBatch(16)];
    const a = await mixOf(batches, { seed: 'x', alpha: 0.5 });
    const b = await mixOf(batches, { seed: 'x', alpha: 0.5 });
    expect(a.map((o) => [o.x, o.y])).toEqual(b.map((o) => [o.x, o.y]));
    expect(a[0].x).not.toEqual(a[1].x); // another batch index, other boxes
    const c = await mixOf(batches, { seed: 'y', alpha: 0.5 });
    expect(c[0].x).not.toEqual(a[0].x);
  });

  it('draws the kept share from Beta(alpha, alpha): near half for a large alpha, spread out for a small one', async () => {
    const shares = async (alpha: number) => {
      const out = await mixOf(
        Array.from({ length: 20 }, () => flatBatch(20, 20)),
        { seed: 5, alpha },
      );
      // The share each sample kept (1 when its partner was itself).
      return out.flatMap((o) => Array.from({ length: 20 }, (_, s) => Math.exp(o.y[s * 20 + s])));
    };
    const spread = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    // Boxes clipped at the border keep more than drawn, so even a fixed draw spreads a little.
    const [narrow, uniform, wide] = [spread(await shares(50)), spread(await shares(1)), spread(await shares(0.1))];
    expect(narrow).toBeLessThan(0.15);
    expect(uniform).toBeGreaterThan(narrow + 0.03);
    expect(wide).toBeGreaterThan(uniform + 0.03);
  });

  it('refuses bad options and batches that are not class images, naming them', async () => {
    for (const alpha of [0, -1, Number.NaN, '1'])
      expect(() => cutMix({ seed: 1, alpha: alpha as number })).toThrow(/cutMix options.alpha: expected a finite number above 0/);
    expect(() => cutMix({ seed: 1, p: 1.5 })).toThrow(/cutMix options.p: expected a number in \[0, 1\], got 1.5/);
    expect(() => cutMix({} as never)).toThrow(/cutMix options.seed/);
    expect(() => cutMix({ seed: 1, labels: 'soft' as never })).toThrow(/cutMix options.labels: expected 'logits' or 'probabilities', got "soft"/);
    expect(() => cutMix(undefined as never)).toThrow(OtfgenArgumentError);
    const regression: Batch = {
      x: new Float32Array(2 * N),
      y: new Float32Array(2),
      size: 2,
      sampleShape: [28, 28, 1],
      target: { kind: 'regression', size: 1 },
    };
    await expect(mixOf([regression], { seed: 1 })).rejects.toThrow(
      /cutMix input: mixes the labels of class batches; got a batch with target regression \(1 value\)/,
    );
    const badLabel: Batch = { ...flatBatch(2), y: Int32Array.of(0, 10) };
    await expect(mixOf([badLabel], { seed: 1 })).rejects.toThrow(/cutMix input.y\[1\]: class id 10 is outside \[0, 9\]/);
    const flat: Batch = { ...flatBatch(2), sampleShape: [784] };
    await expect(mixOf([flat], { seed: 1 })).rejects.toThrow(
      /cutMix input: pastes boxes of images of shape \[height, width, channels\]; got sampleShape \[784\]/,
    );
  });
});

describe('the exemplars-cutmix one-shot method', () => {
  it('trains and is read through the logits head its soft labels teach, leaking no tensor', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-layers');
    const { selectBackend, mnist } = await import('../src/node/index.js');
    const { SOURCES } = await import('../benchmarks/study/sources.js');
    const { heldOutOf } = await import('../src/harness/warmup-source.js');
    const { runOneShot } = await import('../benchmarks/study/one-shot.js');
    const { createModel, evaluate, logitsTarget, train } = await import('../src/harness/index.js');
    await selectBackend({ backend: 'wasm' });
    const [trainSet, test] = await Promise.all([mnist({ split: 'train' }), mnist({ split: 'test' })]);
    const small = { ...test, x: test.x.subarray(0, 300 * N), y: test.y.subarray(0, 300), count: 300 };
    const dir = await mkdtemp(join(tmpdir(), 'otfgen-cutmix-'));
    const before = tf.memory().numTensors;
    try {
      const { rows } = await runOneShot({ methods: ['exemplars-cutmix'], seeds: 1, steps: 12, batchSize: 16 }, { train: trainSet, test: small, outDir: dir });
      // The same run by hand, read through each head: the row is the logits head's reading.
      const model = createModel({ seed: 1 });
      const source = SOURCES['exemplars-cutmix'].make({ seed: 1, batchSize: 16, train: trainSet, model, heldOut: heldOutOf(trainSet), batches: 12 });
      expect(source.head).toEqual(logitsTarget(10, 1));
      await train({ model, steps: source.stream, totalSteps: 12 });
      const logits = await evaluate(model, { data: small, head: source.head });
      const classHead = await evaluate(model, { data: small });
      model.dispose();
      expect([rows[0].finalAccuracy, rows[0].finalLoss]).toEqual([logits.accuracy, logits.loss]);
      expect(rows[0].finalLoss).not.toBe(classHead.loss);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
