/** sharp, an optional peer, loaded where image files are read or written; and a bounded pool for its calls. */
import { OtfgenError } from '../core/errors.js';

export type Sharp = (typeof import('sharp'))['default'];

export async function loadSharp(): Promise<Sharp> {
  try {
    return ((await import('sharp')) as unknown as { default: Sharp }).default;
  } catch {
    throw new OtfgenError('ERR_DEPENDENCY', 'JPEG and WebP image folders need the optional peer sharp: npm install sharp (PNG folders do not)');
  }
}

/** Runs `fn` over items with at most `limit` at once, keeping order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
