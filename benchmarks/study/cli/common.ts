/** What the study commands share beyond the library CLI's helpers: --params over named sources, --jobs children's arguments, ten-class tasks. */
import '@tensorflow/tfjs-layers'; // registers the gradients training needs (tfjs-core's Node build does not)
import { OtfgenArgumentError } from '../../../src/core/errors.js';
import type { Task } from '../../../src/tasks/define-task.js';
import { taskByName } from '../../../src/tasks/index.js';
import { sourcesTakingParams } from '../../../src/harness/warmup-source.js';
import { SOURCES } from '../sources.js';

export * from '../../../src/cli/common.js';

/** For a command's first line: '; params {...} for digits, exemplars-digits', or '' without params. */
export function paramsPhrase(sources: readonly string[], params: Readonly<Record<string, unknown>> | undefined, argument: string): string {
  return params === undefined ? '' : `; params ${JSON.stringify(params)} for ${sourcesTakingParams(SOURCES, sources, params, argument).join(', ')}`;
}

/** `--data` and `--params` as a `--jobs` child's arguments (none for what is unset). */
export function dataAndParamsArgs(o: { readonly data?: string; readonly params?: Readonly<Record<string, unknown>> }): string[] {
  return [...(o.data === undefined ? [] : ['--data', o.data]), ...(o.params === undefined ? [] : ['--params', JSON.stringify(o.params)])];
}

/**
 * The built-in task `name`, which must be a class task of 10 classes: for the commands that test on or
 * train with MNIST's (or the `--data`'s) ten labels. The error names `argument` and starts with
 * `what` ("synthetic-only tests on").
 */
export function tenClassTask(name: string, argument: string, what: string): Task<any> {
  const task = taskByName(name);
  if (task.target.kind !== 'class' || task.target.classes !== 10) {
    throw new OtfgenArgumentError(
      argument,
      `${what} 10 classes (MNIST's digits, or the --data's): expected a task with 10 classes, such as digits or fashion, got '${name}'`,
    );
  }
  return task;
}
