/** Tasks: defineTask, generate, and the built-ins by name. */
import { OtfgenUnknownTaskError } from '../errors.js';
import type { Task } from './define-task.js';
import { pixelCount } from './pixel-count.js';
import { digits } from './digits/index.js';
import { fashion } from './fashion/index.js';

export { defineTask, type NumberParam, type WeightsParam, type ParamSpec, type ParamSpace, type ParamValues, type ResolvedParams, type RenderFn, type TaskDefinition, type TaskOrigin, type WithClassWeights, type Task } from './define-task.js';
export { generate, GeneratedStream, renderBatch, type GenerateOptions, type ParamsOption } from './generate.js';
export * from './pixel-count.js';
export { fitParams, type FitDistance, type FitParamsOptions, type FitParamsResult, type FitReference } from './fit-params.js';
export { imageStatistics, IMAGE_STATISTICS, DEFAULT_STATISTICS, type ImageStatistic, type ImageStatistics, type ImageArray } from './image-statistics.js';

/** The built-in tasks by name (the names the CLI takes). */
export const builtinTasks: Readonly<Record<string, Task<any>>> = Object.freeze({
  'pixel-count': pixelCount,
  digits,
  fashion,
});

/**
 * A built-in task by name; an unknown name throws an error listing the known ones.
 * @example
 * ```ts
 * const task = taskByName('pixel-count');
 * ```
 */
export function taskByName(name: string): Task<any> {
  const task = builtinTasks[name];
  if (!task) throw new OtfgenUnknownTaskError(String(name), Object.keys(builtinTasks));
  return task;
}
export * from './exemplars.js';
export * from './digits/index.js';
export * from './fashion/index.js';
