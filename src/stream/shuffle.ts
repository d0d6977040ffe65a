/** shuffle: sample-level shuffling through a bounded buffer, seeded. */
import { allocBatch, copySamples, sampleLength, targetLength, type Batch } from '../core/batch.js';
import { checkKeys, checkInt } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * Options of {@link shuffle}.
 * @inline
 */
export interface ShuffleOptions {
  /** Seeds the shuffle (default 0). */
  readonly seed?: Seed;
  /** Samples per output batch (default: the first input batch's size). */
  readonly batchSize?: number;
}

/**
 * Holds up to `bufferSize` samples and emits batches drawn at random from the
 * buffer, as tf.data's shuffle does per element. Memory: at most
 * `bufferSize + 2 * batchSize` samples. Each pass reseeds from `seed`, so
 * passes are reproducible; reshuffle per epoch by giving each epoch a seed.
 *
 * Size: endless stays endless; otherwise unknown.
 * @example
 * ```ts
 * const s = source.pipe(shuffle(10_000, { seed: 7 }));
 * ```
 */
export function shuffle(bufferSize: number, options: ShuffleOptions = {}): Operator<Batch, Batch> {
  checkKeys('shuffle options', options, ['seed', 'batchSize']);
  checkInt('shuffle(bufferSize)', bufferSize, 1);
  if (options.batchSize !== undefined) checkInt('shuffle options.batchSize', options.batchSize, 1);
  const seed = checkSeed('shuffle options.seed', options.seed ?? 0);
  return (source) =>
    new Stream<Batch>(
      async function* () {
        const rng = new Rng(seed);
        let buf: Batch | null = null;
        let count = 0;
        let outSize = options.batchSize ?? 0;
        const emit = (n: number): Batch => {
          const b = buf!;
          const out = allocBatch(n, b.sampleShape, b.target);
          const len = sampleLength(b.sampleShape);
          const tl = targetLength(b.target);
          for (let i = 0; i < n; i++) {
            const j = rng.int(count);
            copySamples(b, j, out, i, 1);
            // Swap-remove: the last buffered sample takes j's place.
            count--;
            if (j !== count) {
              b.x.copyWithin(j * len, count * len, (count + 1) * len);
              b.y.copyWithin(j * tl, count * tl, (count + 1) * tl);
            }
          }
          return out;
        };
        for await (const b of source) {
          if (!outSize) outSize = b.size;
          const need = count + b.size;
          if (!buf || need > buf.size) {
            const grown = allocBatch(Math.max(need, bufferSize + outSize + b.size), b.sampleShape, b.target);
            if (buf) copySamples(buf, 0, grown, 0, count);
            buf = grown;
          }
          copySamples(b, 0, buf, count, b.size);
          count += b.size;
          while (count >= bufferSize + outSize) yield emit(outSize);
        }
        while (count > 0) yield emit(Math.min(outSize, count));
      },
      sizeOf(source) === Infinity ? Infinity : null,
    );
}
