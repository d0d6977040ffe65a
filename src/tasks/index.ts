/** The built-in tasks by name: the names the CLI and the worker protocol take. */
import { OtfgenUnknownTaskError } from '../core/errors.js';
import type { Task } from './define-task.js';
import { pixelCount } from './pixel-count.js';
import { digits } from './digits/index.js';
import { fashion } from './fashion/index.js';

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
