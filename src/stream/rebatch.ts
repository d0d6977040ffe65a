/** rebatch: batches of exactly `size` samples, cutting and joining across input batches. */
import { allocBatch, copySamples, sameShape, sameTarget, type Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt } from '../core/errors.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * Options of {@link rebatch}.
 * @inline
 */
export interface RebatchOptions {
  /** Drop a final batch smaller than `size` (default false: it is yielded). */
  readonly dropRemainder?: boolean;
}

/**
 * Size: endless stays endless; otherwise unknown (it depends on the samples per batch).
 * @example
 * ```ts
 * const b64 = generate(pixelCount, { batchSize: 100, seed: 1 }).pipe(rebatch(64));
 * ```
 */
export function rebatch(size: number, options: RebatchOptions = {}): Operator<Batch, Batch> {
  checkKeys('rebatch options', options, ['dropRemainder']);
  checkInt('rebatch(size)', size, 1);
  return (source) =>
    new Stream<Batch>(
      async function* () {
        let out: Batch | null = null;
        let filled = 0;
        for await (const b of source) {
          if (out && (!sameShape(out.sampleShape, b.sampleShape) || !sameTarget(out.target, b.target))) {
            throw new OtfgenArgumentError('rebatch source', 'batches changed sample shape or target spec mid-stream');
          }
          // Whole input batch of the right size with nothing pending: pass it on uncopied.
          if (filled === 0 && b.size === size) {
            yield b;
            continue;
          }
          let used = 0;
          while (used < b.size) {
            out ??= allocBatch(size, b.sampleShape, b.target);
            const n = Math.min(size - filled, b.size - used);
            copySamples(b, used, out, filled, n);
            used += n;
            filled += n;
            if (filled === size) {
              const full: Batch = out;
              out = null;
              filled = 0;
              yield full;
            }
          }
        }
        if (out && filled > 0 && !options.dropRemainder) {
          yield { ...out, x: out.x.slice(0, filled * (out.x.length / size)), y: out.y.slice(0, filled * (out.y.length / size)), size: filled };
        }
      },
      sizeOf(source) === Infinity ? Infinity : null,
    );
}
