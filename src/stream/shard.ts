/** shard: every `count`-th item starting at `index` (item i goes to shard i mod count). */
import { checkInt } from '../core/errors.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * Size: the items whose position falls in this shard, when the source size is known.
 * @example
 * ```ts
 * const mine = stream.pipe(shard(workerId, workerCount));
 * ```
 */
export function shard<T>(index: number, count: number): Operator<T, T> {
  checkInt('shard(count)', count, 1);
  checkInt('shard(index)', index, 0, count - 1);
  return (source) => {
    const s = sizeOf(source);
    const size = s === null || s === Infinity ? s : Math.max(0, Math.ceil((s - index) / count));
    return new Stream<T>(async function* () {
      let i = 0;
      for await (const item of source) {
        if (i++ % count === index) yield item;
      }
    }, size);
  };
}
