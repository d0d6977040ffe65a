/** Preview grids: samples of a task as a PNG, one row per class (pngjs encodes). */
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import type { Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import type { ParamSpace, ParamValues, Task } from '../tasks/define-task.js';
import { generate } from '../tasks/generate.js';

/** Options of {@link previewPng}. */
export interface PreviewOptions<P extends ParamSpace> {
  /** The generator's seed (default 0). */
  readonly seed?: Seed;
  /** Samples per row (default 10). */
  readonly perRow?: number;
  /** Rows for tasks without classes (default 10). */
  readonly rows?: number;
  /** Pixels per sample pixel (default 3). */
  readonly scale?: number;
  /** The task's parameters, as `generate` takes them (class weights are set per row for class tasks). */
  readonly params?: Partial<ParamValues<P>>;
}

/**
 * Renders a grid: for class-conditional tasks row c holds class c (drawn by
 * setting `classWeights` to that class alone); otherwise rows of samples.
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { digits } from 'otfgen';
 * import { previewPng } from 'otfgen/harness';
 *
 * await writeFile('digits.png', await previewPng(digits, { seed: 1 }));
 * ```
 */
export async function previewPng<P extends ParamSpace>(task: Task<P>, options: PreviewOptions<P> = {}): Promise<Uint8Array> {
  checkKeys('previewPng options', options, ['seed', 'perRow', 'rows', 'scale', 'params']);
  const [h, w, c] = task.sampleShape;
  if (task.sampleShape.length !== 3 || (c !== 1 && c !== 3)) {
    throw new OtfgenArgumentError('preview task', `needs images [height, width, 1 or 3], task '${task.name}' has [${task.sampleShape.join(', ')}]`);
  }
  const perRow = checkInt('preview perRow', options.perRow ?? 10, 1, 100);
  const scale = checkInt('preview scale', options.scale ?? 3, 1, 16);
  const classes = task.target.kind === 'class' && task.conditional ? task.target.classes : 0;
  const rows = classes || checkInt('preview rows', options.rows ?? 10, 1, 100);
  const batches: Batch[] = [];
  for (let r = 0; r < rows; r++) {
    const params = { ...(options.params ?? {}) } as Record<string, unknown>;
    if (classes) params.classWeights = Array.from({ length: classes }, (_, k) => (k === r ? 1 : 0));
    const [b] = await generate(task, { seed: options.seed ?? 0, batchSize: perRow, startBatch: r, params: params as Partial<ParamValues<P>> })
      .take(1)
      .toArray();
    batches.push(b);
  }
  const gap = 2;
  const png = new PNG({ width: perRow * (w * scale + gap) + gap, height: rows * (h * scale + gap) + gap });
  png.data.fill(96); // grey gaps
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  batches.forEach((b, r) => {
    for (let k = 0; k < perRow; k++) {
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const px = gap + k * (w * scale + gap) + x,
            py = gap + r * (h * scale + gap) + y;
          const o = (py * png.width + px) * 4;
          const src = ((k * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c;
          for (let ch = 0; ch < 3; ch++) png.data[o + ch] = Math.round(255 * Math.min(1, Math.max(0, b.x[src + (c === 3 ? ch : 0)])));
        }
      }
    }
  });
  return PNG.sync.write(png);
}

/** Writes a preview grid to `path`. */
export async function writePreview<P extends ParamSpace>(task: Task<P>, path: string, options: PreviewOptions<P> = {}): Promise<void> {
  await writeFile(path, await previewPng(task, options));
}
