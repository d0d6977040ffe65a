/** map: applies a function to each item (sync or async). Size: unchanged. */
import { OtfgenArgumentError, describe } from '../core/errors.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * @example
 * ```ts
 * const doubled = fromIterable([1, 2, 3]).pipe(map((v) => v * 2));
 * ```
 */
export function map<A, B>(fn: (item: A, index: number) => B | Promise<B>): Operator<A, B> {
  if (typeof fn !== 'function') throw new OtfgenArgumentError('map(fn)', `expected a function of (item, index), got ${describe(fn)}`);
  return (source) =>
    new Stream<B>(async function* () {
      let i = 0;
      for await (const item of source) yield await fn(item, i++);
    }, sizeOf(source));
}
