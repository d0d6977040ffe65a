/** concat: all items of each source in turn. */
import { Stream, checkAsyncIterable, sizeOf } from './stream.js';

/**
 * Size: the sum of the sources' sizes; unknown if any is unknown.
 * @example
 * ```ts
 * const s = concat(warmup.pipe(take(100)), real);
 * ```
 */
export function concat<T>(...sources: AsyncIterable<T>[]): Stream<T> {
  sources.forEach((s, i) => checkAsyncIterable(`concat(sources[${i}])`, s));
  const sizes = sources.map(sizeOf);
  const size = sizes.some((s) => s === null) ? null : (sizes as number[]).reduce((a, b) => a + b, 0);
  return new Stream<T>(async function* () {
    for (const source of sources) yield* source;
  }, size);
}
