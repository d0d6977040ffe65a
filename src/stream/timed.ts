/** timed: the same items, and a report of how long the consumer waited for each. */
import { checkAsyncIterable, Stream, sizeOf } from './stream.js';
import { checkKeys, checkInt } from '../core/errors.js';

/**
 * Options of {@link timed}.
 * @inline
 */
export interface TimedOptions {
  /**
   * Waits kept for the latency percentiles: the most recent ones (default
   * 4096), so an endless stream's report stays a fixed size.
   */
  readonly window?: number;
}

/** What {@link TimedStream.report} says of the passes so far. Times in milliseconds. */
export interface TimingReport {
  /** Items delivered. */
  readonly items: number;
  /** Samples delivered: the sum of the items' `size` (batches), else the item count. */
  readonly samples: number;
  /** Time the consumer spent waiting in `next()` for an item. */
  readonly waitMs: number;
  /** Time between an item's delivery and the next request: the consumer's own work (a training step). */
  readonly workMs: number;
  /** `waitMs / (waitMs + workMs)`: the share of the loop spent waiting for data (0 with no item yet). */
  readonly dataWaitShare: number;
  /** Samples per second of the whole loop (waiting and working). */
  readonly samplesPerSecond: number;
  /** Samples per second the source delivers when the consumer never works: samples / waitMs. */
  readonly sourceSamplesPerSecond: number;
  /** Percentiles of the wait per item, over the most recent `window` items. */
  readonly latencyMs: {
    /** The median wait. */
    readonly p50: number;
    /** 90% of the waits were at most this. */
    readonly p90: number;
    /** 99% of the waits were at most this. */
    readonly p99: number;
    /** The longest wait. */
    readonly max: number;
  };
}

/** A stream that times its consumer's waits: the same items and size as its source. */
export class TimedStream<T> extends Stream<T> {
  /** @internal */
  constructor(
    open: () => AsyncIterator<T>,
    size: number | null,
    private readonly stats: TimingStats,
  ) {
    super(open, size);
  }

  /** What the passes so far measured; call it during or after the loop. */
  report(): TimingReport {
    return this.stats.report();
  }
}

/**
 * Wraps any stream (or async iterable) to measure data loading as a training
 * loop meets it: the time the loop waits for each item against the time it
 * works between items, throughput and wait percentiles. Breaking out of the
 * loop closes the source as usual. Size: unchanged.
 * @example
 * ```ts
 * const data = timed(generate(digits, { seed: 1 }).take(200));
 * for await (const batch of data) await trainOn(batch);
 * const { dataWaitShare, samplesPerSecond, latencyMs } = data.report();
 * ```
 */
export function timed<T>(source: AsyncIterable<T>, options: TimedOptions = {}): TimedStream<T> {
  checkKeys('timed options', options, ['window']);
  checkAsyncIterable('timed(source)', source);
  const stats = new TimingStats(checkInt('timed options.window', options.window ?? 4096, 1, 1 << 24));
  return new TimedStream<T>(
    () => {
      const it = source[Symbol.asyncIterator]();
      let delivered: number | null = null; // when the last item was handed over
      return {
        async next(): Promise<IteratorResult<T>> {
          const asked = now();
          if (delivered !== null) stats.work(asked - delivered);
          const r = await it.next();
          const got = now();
          if (r.done) {
            delivered = null;
            return r;
          }
          stats.item(got - asked, sizeOfItem(r.value));
          delivered = got;
          return r;
        },
        async return(): Promise<IteratorResult<T>> {
          delivered = null;
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
    sizeOf(source),
    stats,
  );
}

// performance.now() exists in Node and in browsers alike: no import needed.
const now = () => performance.now();

/** A batch counts its samples; anything else counts one. */
function sizeOfItem(v: unknown): number {
  const size = (v as { size?: unknown } | null)?.size;
  return typeof size === 'number' && Number.isFinite(size) ? size : 1;
}

class TimingStats {
  private items = 0;
  private samples = 0;
  private waitMs = 0;
  private workMs = 0;
  private readonly recent: Float64Array;

  constructor(window: number) {
    this.recent = new Float64Array(window);
  }

  item(wait: number, samples: number): void {
    this.recent[this.items % this.recent.length] = wait;
    this.items++;
    this.samples += samples;
    this.waitMs += wait;
  }

  work(ms: number): void {
    this.workMs += ms;
  }

  report(): TimingReport {
    const total = this.waitMs + this.workMs;
    const kept = this.recent.slice(0, Math.min(this.items, this.recent.length)).sort();
    const at = (q: number) => (kept.length === 0 ? 0 : kept[Math.min(kept.length - 1, Math.floor(q * kept.length))]);
    return {
      items: this.items,
      samples: this.samples,
      waitMs: this.waitMs,
      workMs: this.workMs,
      dataWaitShare: total > 0 ? this.waitMs / total : 0,
      samplesPerSecond: total > 0 ? (this.samples * 1000) / total : 0,
      sourceSamplesPerSecond: this.waitMs > 0 ? (this.samples * 1000) / this.waitMs : 0,
      latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: kept.length ? kept[kept.length - 1] : 0 },
    };
  }
}
