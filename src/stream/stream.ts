/**
 * Stream: an async iterable that says what it knows about its length.
 *
 * `size` counts items: a number when known, `Infinity` for endless streams,
 * `null` when unknown. Any `AsyncIterable` plugs into the operators; every
 * operator returns a Stream, so calls chain.
 */
import type { Batch } from '../core/batch.js';
import { OtfgenArgumentError, describe } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { map } from './map.js';
import { prefetch } from './prefetch.js';
import { rebatch, type RebatchOptions } from './rebatch.js';
import { shard } from './shard.js';
import { shuffle } from './shuffle.js';
import { take } from './take.js';

/** A function from one stream to another, as the operators return. */
export type Operator<A, B> = (source: AsyncIterable<A>) => Stream<B>;

/** Items a stream yields: `Infinity` endless, `null` unknown. */
export type StreamSize = number | null;

/** The known size of any async iterable: a Stream's `size`, else unknown. */
export function sizeOf(source: AsyncIterable<unknown>): StreamSize {
  return source instanceof Stream ? source.size : null;
}

/** An async iterable of items that says what it knows of its length, with the operators as methods for chaining. */
export class Stream<T> implements AsyncIterable<T> {
  /**
   * @param open makes a fresh iterator each call, so a stream can be replayed (one pass per epoch).
   * @param size items the stream yields: a count, `Infinity`, or `null` when unknown.
   */
  constructor(
    private readonly open: () => AsyncIterator<T>,
    readonly size: StreamSize = null,
  ) {}

  /** A fresh pass over the stream: `for await (const item of stream)`. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.open();
  }

  /**
   * Applies operators left to right.
   * @example
   * ```ts
   * const s = generate(pixelCount, { seed: 1 }).pipe(take(10), rebatch(32));
   * ```
   */
  pipe(): Stream<T>;
  pipe<A>(op1: Operator<T, A>): Stream<A>;
  pipe<A, B>(op1: Operator<T, A>, op2: Operator<A, B>): Stream<B>;
  pipe<A, B, C>(op1: Operator<T, A>, op2: Operator<A, B>, op3: Operator<B, C>): Stream<C>;
  pipe<A, B, C, D>(op1: Operator<T, A>, op2: Operator<A, B>, op3: Operator<B, C>, op4: Operator<C, D>): Stream<D>;
  pipe(...ops: Operator<any, any>[]): Stream<any>;
  pipe(...ops: Operator<any, any>[]): Stream<any> {
    ops.forEach((op, i) => {
      if (typeof op !== 'function')
        throw new OtfgenArgumentError(`pipe(operators[${i}])`, `expected an operator (a function from stream to stream, e.g. take(10)), got ${describe(op)}`);
    });
    return ops.reduce<Stream<any>>((s, op) => op(s), this);
  }

  /** Fluent form of {@link map}. */
  map<R>(fn: (item: T, index: number) => R | Promise<R>): Stream<R> {
    return map(fn)(this);
  }

  /** Fluent form of {@link take}. */
  take(n: number): Stream<T> {
    return take<T>(n)(this);
  }

  /** Fluent form of {@link prefetch}. */
  prefetch(n: number): Stream<T> {
    return prefetch<T>(n)(this);
  }

  /** Fluent form of {@link shard}. */
  shard(index: number, count: number): Stream<T> {
    return shard<T>(index, count)(this);
  }

  /** Fluent form of {@link rebatch} (batch streams only). */
  rebatch(this: Stream<Batch>, size: number, options?: RebatchOptions): Stream<Batch> {
    return rebatch(size, options)(this);
  }

  /** Fluent form of {@link shuffle} (batch streams only). */
  shuffle(this: Stream<Batch>, bufferSize: number, options?: { seed?: Seed; batchSize?: number }): Stream<Batch> {
    return shuffle(bufferSize, options)(this);
  }

  /** Reads the whole stream into an array (only for finite streams). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}

/** Checks that `value` is an async iterable (a stream), naming `argument`; `what` says what it should be, and how to make one. */
export function checkAsyncIterable(argument: string, value: unknown, what = 'an async iterable'): void {
  if (typeof (value as Partial<AsyncIterable<unknown>> | null | undefined)?.[Symbol.asyncIterator] !== 'function') {
    throw new OtfgenArgumentError(argument, `expected ${what}, got ${describe(value)}`);
  }
}

/** Whether `value` is an iterable or an async iterable (strings are not taken: their items are characters). */
function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<symbol, unknown>;
  return typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function';
}

/**
 * Wraps any (async) iterable, or a function that makes one per pass, as a Stream.
 * A function is called afresh for each pass, so the stream can be replayed.
 *
 * @example
 * ```ts
 * const s = fromIterable(() => myBatches(), 100);
 * ```
 */
export function fromIterable<T>(
  source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>),
  size: StreamSize = Array.isArray(source) ? source.length : null,
): Stream<T> {
  if (source instanceof Stream) return source;
  if (typeof source !== 'function' && !isIterable(source)) {
    throw new OtfgenArgumentError('fromIterable(source)', `expected an iterable, an async iterable or a function that makes one, got ${describe(source)}`);
  }
  return new Stream<T>(() => {
    const it = typeof source === 'function' ? source() : source;
    if (!isIterable(it)) throw new OtfgenArgumentError('fromIterable(source)', `the function gave ${describe(it)}, expected an iterable or an async iterable`);
    if (Symbol.asyncIterator in it) return (it as AsyncIterable<T>)[Symbol.asyncIterator]();
    const sync = (it as Iterable<T>)[Symbol.iterator]();
    return {
      next: async () => sync.next(),
      return: async (value?: unknown) => (sync.return?.(value) ?? { done: true, value: undefined }) as IteratorResult<T>,
    };
  }, size);
}

/** A stream of batches. */
export type BatchStream = Stream<Batch>;
