/** prefetch: pulls up to `n` items ahead of the consumer, so producing overlaps consuming. */
import { checkInt } from '../core/errors.js';
import { Stream, sizeOf, type Operator } from './stream.js';

/**
 * Never more than `n` items are held and never more than one pull of the source
 * is in flight. `return()` waits for that pull, then closes the source. A
 * source error reaches the consumer in order, after the items before it.
 * Size: unchanged.
 * @example
 * ```ts
 * const s = real.pipe(prefetch(4));
 * ```
 */
export function prefetch<T>(n: number): Operator<T, T> {
  checkInt('prefetch(n)', n, 1);
  return (source) =>
    new Stream<T>(() => {
      const it = source[Symbol.asyncIterator]();
      const queue: T[] = [];
      let inFlight: Promise<void> | null = null;
      let ended = false;
      let failed = false;
      let error: unknown;
      let closed = false;
      let wake: (() => void) | null = null;

      const pump = (): void => {
        if (inFlight || ended || closed || queue.length >= n) return;
        inFlight = it.next().then(
          (r) => {
            inFlight = null;
            if (r.done) ended = true;
            else if (!closed) queue.push(r.value);
            wake?.();
            pump();
          },
          (e) => {
            inFlight = null;
            ended = failed = true;
            error = e;
            wake?.();
          },
        );
      };

      return {
        async next(): Promise<IteratorResult<T>> {
          for (;;) {
            if (closed) return { done: true, value: undefined };
            if (queue.length > 0) {
              const value = queue.shift()!;
              pump();
              return { done: false, value };
            }
            if (failed) {
              failed = false;
              closed = true;
              throw error;
            }
            if (ended) return { done: true, value: undefined };
            pump();
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        },
        async return(): Promise<IteratorResult<T>> {
          if (!closed) {
            closed = true;
            queue.length = 0;
            if (inFlight) await inFlight;
            if (!ended) await it.return?.();
          }
          return { done: true, value: undefined };
        },
      };
    }, sizeOf(source));
}
