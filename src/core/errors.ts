/**
 * Typed errors. Every error otfgen throws on bad input is an {@link OtfgenError}
 * with a stable `code`, and its message names the argument or file and says
 * what would be right.
 *
 * @example
 * ```ts
 * try { generate(pixelCount, { batchSize: 0 }); }
 * catch (e) { if (e instanceof OtfgenError && e.code === 'ERR_ARGUMENT') console.log(e.message); }
 * ```
 */
export class OtfgenError extends Error {
  /**
   * Stable across versions, to branch on: 'ERR_ARGUMENT', 'ERR_FILE', 'ERR_UNKNOWN_TASK', 'ERR_TASK' and
   * 'ERR_BACKEND' (the subclasses below); 'ERR_DEPENDENCY' (an optional package is missing, e.g. sharp),
   * 'ERR_WORKER' (the worker script is not built) and 'ERR_RUN' (a CLI seed process failed).
   */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An argument has the wrong type, shape or range. `argument` names it. */
export class OtfgenArgumentError extends OtfgenError {
  /** The argument's path as the message starts with it, e.g. 'generate options.batchSize'. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super('ERR_ARGUMENT', `${argument}: ${message}`);
    this.argument = argument;
  }
}

/** A file is missing, truncated, corrupt, or does not match what was expected. */
export class OtfgenFileError extends OtfgenError {
  /** The path of the file (or folder) at fault. */
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('ERR_FILE', `${file}: ${message}`, options);
    this.file = file;
  }
}

/**
 * A task name is not registered. `known` lists the names that are; `what` names what was asked for
 * ('task', 'warm-up task', 'one-shot method'), and `hint` says more where the name is known elsewhere.
 */
export class OtfgenUnknownTaskError extends OtfgenError {
  /** The name asked for. */
  readonly task: string;
  /** The names that would have been accepted there. */
  readonly known: readonly string[];
  constructor(task: string, known: readonly string[], what = 'task', hint?: string) {
    super('ERR_UNKNOWN_TASK', `unknown ${what} '${task}'${hint ? ` (${hint})` : ''}; known ${what}s: ${known.join(', ')}`);
    this.task = task;
    this.known = known;
  }
}

/**
 * A recipe names a task version the installed task does not draw: its data
 * would come out different, so it is refused rather than regenerated.
 */
export class OtfgenVersionError extends OtfgenError {
  /** The task's name. */
  readonly task: string;
  /** The version the recipe was made with. */
  readonly recipeVersion: number;
  /** The version the installed task draws. */
  readonly installedVersion: number;
  constructor(argument: string, task: string, recipeVersion: number, installedVersion: number) {
    super(
      'ERR_TASK_VERSION',
      `${argument}: the recipe was drawn by '${task}' version ${recipeVersion}, and this '${task}' draws version ${installedVersion}; its bytes would differ: use the release of the task that draws version ${recipeVersion}, or make a new recipe`,
    );
    this.task = task;
    this.recipeVersion = recipeVersion;
    this.installedVersion = installedVersion;
  }
}

/** A task's render function threw while making batch `batch` of a stream. */
export class OtfgenTaskError extends OtfgenError {
  /** The task's name. */
  readonly task: string;
  /** The stream's batch index (from 0) whose rendering failed. */
  readonly batch: number;
  constructor(task: string, batch: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('ERR_TASK', `task '${task}' failed on batch ${batch}: ${why}`, { cause });
    this.task = task;
    this.batch = batch;
  }
}

/** A backend could not be selected or a kernel met attributes it does not support. */
export class OtfgenBackendError extends OtfgenError {
  constructor(message: string) {
    super('ERR_BACKEND', message);
  }
}

// Small validators shared by every public function.

/** Throws unless `value` is an integer in [min, max]. */
export function checkInt(argument: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new OtfgenArgumentError(argument, `expected an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkNumber(argument: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new OtfgenArgumentError(argument, `expected a number in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number above 0; a `hint` (say, a good value) ends the message in brackets. */
export function checkPositive(argument: string, value: unknown, hint?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OtfgenArgumentError(argument, `expected a finite number above 0, got ${describe(value)}${hint === undefined ? '' : ` (${hint})`}`);
  }
  return value;
}

/** Throws unless `value` is true or false. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new OtfgenArgumentError(argument, `expected true or false, got ${describe(value)}`);
  return value;
}

/** Throws unless `value` is a share in [0, 1]. */
export function checkFraction(argument: string, value: unknown): number {
  return checkNumber(argument, value, 0, 1);
}

/** Throws unless `value` is unset or a non-empty string (`what` says what it names, for the message). */
export function checkOptionalName(argument: string, value: unknown, what: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw new OtfgenArgumentError(argument, `expected ${what}, got ${describe(value)}`);
  return value;
}

/** A short description of a value for an error message: typed arrays by their type, objects as JSON (cut at 80 characters). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // cyclic: fall through
    }
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  }
  return String(value);
}

/**
 * Refuses the keys of an options object that a function does not take (a
 * typo, say `batchsize`, would otherwise be ignored without a word), naming
 * the key, the near miss if there is one, and the keys it takes. Keys whose
 * value is undefined are passed over. `known` must list every key of the
 * options' type: the compiler refuses a list that misses one or names another,
 * so an option added to the type cannot be refused here by mistake.
 */
export function checkKeys<T extends object, const K extends readonly (keyof T & string)[]>(
  argument: string,
  options: T | undefined,
  known: [Exclude<keyof T, K[number]>] extends [never] ? K : K & { readonly missing: Exclude<keyof T, K[number]> },
): void {
  if (typeof options !== 'object' || options === null) return;
  const names: readonly string[] = known;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || names.includes(key)) continue;
    const near = names.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new OtfgenArgumentError(`${argument}.${key}`, `no such option${near ? ` (did you mean ${near}?)` : ''}; the options are: ${names.join(', ')}`);
  }
}
