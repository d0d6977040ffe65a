/** mix: a weighted, seeded, sample-level interleave of several batch streams. */
import { allocBatch, copySamples, describeTarget, sameShape, sameTarget, type Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { Stream, checkAsyncIterable, sizeOf } from './stream.js';

/** Weights per source: fixed, or a function of the output batch index (a controller may steer it). */
export type MixWeights = readonly number[] | ((batchIndex: number) => readonly number[]);

/**
 * Options of {@link mix}.
 * @inline
 */
export interface MixOptions {
  /** Samples per output batch. */
  readonly batchSize: number;
  /** Seeds the order of the samples within each batch (default 0). */
  readonly seed?: Seed;
}

/** A mixed batch and how many of its samples came from each source. */
export interface MixedBatch {
  /** The mixed batch. */
  readonly batch: Batch;
  /** Samples from each source, by source index; they sum to the batch's size. */
  readonly counts: readonly number[];
}

/**
 * Each output batch takes from source i a count proportional to weight i,
 * rounded so the counts sum to the batch size (largest remainder), in a seeded
 * random order. Exact counts, not per-sample coin flips: a share of 0.3 gives
 * 0.3 of every batch, which keeps runs comparable.
 *
 * All sources must have the same sample shape and target spec. The stream ends
 * when a source it needs ends (the last batch may be short). Size: endless when
 * every source is endless, else unknown.
 *
 * @example
 * ```ts
 * const blended = mix([synthetic, real], [0.3, 0.7], { batchSize: 64, seed: 1 });
 * ```
 */
export function mix(sources: readonly AsyncIterable<Batch>[], weights: MixWeights, options: MixOptions): Stream<Batch> {
  const inner = mixCounted(sources, weights, options);
  return new Stream<Batch>(async function* () {
    for await (const m of inner) yield m.batch;
  }, inner.size);
}

/** {@link mix}, yielding each batch with its per-source counts. */
export function mixCounted(sources: readonly AsyncIterable<Batch>[], weights: MixWeights, options: MixOptions): Stream<MixedBatch> {
  checkKeys('mix options', options, ['batchSize', 'seed']);
  if (!Array.isArray(sources) || sources.length === 0) throw new OtfgenArgumentError('mix(sources)', 'expected a non-empty array of batch streams');
  sources.forEach((s, i) => checkAsyncIterable(`mix(sources[${i}])`, s, 'an async iterable of batches (generate(task), arraySource(data), ...)'));
  const batchSize = checkInt('mix options.batchSize', options?.batchSize, 1);
  const seed = checkSeed('mix options.seed', options.seed ?? 0);
  const weightsAt = typeof weights === 'function' ? weights : () => weights;
  if (typeof weights !== 'function') checkWeights(weights, sources.length);
  const size = sources.every((s) => sizeOf(s) === Infinity) ? Infinity : null;

  return new Stream<MixedBatch>(async function* () {
    const rng = new Rng(seed);
    const its = sources.map((s) => s[Symbol.asyncIterator]());
    const current: (Batch | null)[] = sources.map(() => null);
    const pos = sources.map(() => 0);
    let first: Batch | null = null;
    // Pulls until source i has a sample ready; false when it has ended.
    const ready = async (i: number): Promise<boolean> => {
      while (!current[i] || pos[i] >= current[i]!.size) {
        const r = await its[i].next();
        if (r.done) return false;
        const ref: Batch = (first ??= r.value);
        if (!sameShape(ref.sampleShape, r.value.sampleShape) || !sameTarget(ref.target, r.value.target)) {
          throw new OtfgenArgumentError(
            `mix(sources[${i}])`,
            `sample shape [${r.value.sampleShape.join(', ')}] and ${describeTarget(r.value.target)} differ from ` +
              `[${ref.sampleShape.join(', ')}] and ${describeTarget(ref.target)}; all sources must match`,
          );
        }
        current[i] = r.value;
        pos[i] = 0;
      }
      return true;
    };
    try {
      for (let k = 0; ; k++) {
        const w = checkWeights(weightsAt(k), sources.length);
        const counts = splitCounts(w, batchSize);
        const order = new Int32Array(batchSize);
        for (let i = 0, o = 0; i < counts.length; i++) for (let c = 0; c < counts[i]; c++) order[o++] = i;
        for (let i = batchSize - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        let out: Batch | null = null;
        const got = sources.map(() => 0);
        let n = 0;
        for (; n < batchSize; n++) {
          const i = order[n];
          if (!(await ready(i))) break;
          out ??= allocBatch(batchSize, current[i]!.sampleShape, current[i]!.target);
          copySamples(current[i]!, pos[i]++, out, n, 1);
          got[i]++;
        }
        if (!out || n === 0) return;
        if (n < batchSize) {
          const per = out.x.length / batchSize,
            tper = out.y.length / batchSize;
          yield { batch: { ...out, x: out.x.slice(0, n * per), y: out.y.slice(0, n * tper), size: n }, counts: got };
          return;
        }
        yield { batch: out, counts: got };
      }
    } finally {
      await Promise.all(its.map((it) => it.return?.()));
    }
  }, size);
}

function checkWeights(w: readonly number[], n: number): readonly number[] {
  if (!Array.isArray(w) || w.length !== n || w.some((v) => typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) || w.every((v) => v === 0)) {
    throw new OtfgenArgumentError('mix(weights)', `expected ${n} finite non-negative numbers, not all zero; got ${describe(w)}`);
  }
  return w;
}

/** Splits `total` into integer counts proportional to `w` (largest remainder; ties to the lower index). */
export function splitCounts(w: readonly number[], total: number): number[] {
  const sum = w.reduce((a, b) => a + b, 0);
  const exact = w.map((v) => (v / sum) * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; left > 0; r++, left--) counts[byRemainder[r % byRemainder.length][1]]++;
  return counts;
}
