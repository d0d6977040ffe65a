/**
 * Rebuilding a task from its origin (a module and an export): how worker
 * threads and recipes get the same task in another thread or process.
 */
import type { Task, TaskOrigin } from './define-task.js';
import { digits } from './digits/index.js';
import { exemplarTask } from './exemplars.js';
import { fashion } from './fashion/index.js';
import { pixelCount, pixelCountTask } from './pixel-count.js';

/** What a built-in task's origin (`{ module: 'otfgen', export }`) may name. */
const BUILT_IN: Readonly<Record<string, unknown>> = Object.freeze({ digits, fashion, pixelCount, pixelCountTask, exemplarTask });

/**
 * The task an origin names: its export (the task, or a factory called with
 * `args`); export '*' is the module's export that is a task named `name`.
 * `load` imports a module other than 'otfgen' (not needed for built-ins).
 */
export async function taskFromOrigin(origin: TaskOrigin, name: string, load?: (module: string) => Promise<Record<string, unknown>>): Promise<Task<any>> {
  if (origin.module !== 'otfgen' && !load) throw new Error(`module ${origin.module} cannot be imported here`);
  const mod = origin.module === 'otfgen' ? BUILT_IN : await load!(origin.module);
  return pick(mod, origin, name);
}

/** A built-in task's origin, rebuilt synchronously; null when the origin names another module. */
export function builtInFromOrigin(origin: TaskOrigin, name: string): Task<any> | null {
  return origin.module === 'otfgen' ? pick(BUILT_IN, origin, name) : null;
}

function pick(mod: Readonly<Record<string, unknown>>, origin: TaskOrigin, name: string): Task<any> {
  const value =
    origin.export === '*'
      ? Object.values(mod).find((v) => (v as Task<any>)?.name === name && typeof (v as Task<any>).render === 'function')
      : Object.hasOwn(mod, origin.export)
        ? mod[origin.export]
        : undefined;
  const made = typeof value === 'function' ? (value as (...a: unknown[]) => unknown)(...(origin.args ?? [])) : value;
  if (!made || typeof (made as Task<any>).render !== 'function') {
    throw new Error(
      origin.export === '*' ? `${origin.module} exports no task named '${name}'` : `'${origin.export}' of ${origin.module} is not a task made by defineTask`,
    );
  }
  return made as Task<any>;
}
