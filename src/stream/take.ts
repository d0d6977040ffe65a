/** take: the first `n` items, then stops (and closes the source). */
import { checkInt } from '../core/errors.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * Size: `n` when the source is at least that long or endless; the source's
 * size when shorter; unknown when the source's is.
 * @example
 * ```ts
 * for await (const b of generate(pixelCount, { seed: 1 }).pipe(take(500))) await trainOn(b);
 * ```
 */
export function take<T>(n: number): Operator<T, T> {
  checkInt('take(n)', n, 0);
  return (source) => {
    const s = sizeOf(source);
    return new Stream<T>(
      async function* () {
        if (n === 0) return;
        let i = 0;
        for await (const item of source) {
          yield item;
          if (++i >= n) return;
        }
      },
      s === null ? null : Math.min(n, s),
    );
  };
}
