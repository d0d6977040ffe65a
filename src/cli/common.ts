/**
 * What the CLI commands share: option parsers, optional peers, tasks by name
 * or module, backend selection, real data, tables, progress, Ctrl-C. Nothing
 * here loads an optional peer at import time, so `otfgen --help` and the
 * commands that need none run with only the required ones installed.
 */
import { SingleBar } from 'cli-progress';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OtfgenArgumentError, OtfgenError, OtfgenFileError } from '../core/errors.js';
import type { BackendSelection } from '../node/backend/select.js';
import type { MnistDataset } from '../node/files/mnist.js';
import { builtinTasks, taskByName } from '../tasks/index.js';
import type { Task } from '../tasks/define-task.js';

/**
 * Imports an optional peer for `what` (a command), or throws a typed error
 * that says in one line what to install. Other failures (a broken install)
 * keep their own message.
 */
export async function loadPeer<T = unknown>(name: string, what: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(name)) {
      throw new OtfgenError('ERR_DEPENDENCY', `${what} needs the optional peer ${name}: npm install ${name}`, { cause: e });
    }
    throw e;
  }
}

/**
 * Loads what training needs: tfjs-layers (which also registers the gradients
 * tfjs-core's Node build lacks) before the harness, which imports it.
 */
export async function loadTraining(what: string): Promise<void> {
  await loadPeer('@tensorflow/tfjs-core', what);
  await loadPeer('@tensorflow/tfjs-layers', what);
}

/** The training and test splits of MNIST, or of the IDX files in `--data`'s folder. */
export async function realData(dir: string | undefined): Promise<[MnistDataset, MnistDataset]> {
  const { mnist } = await import('../node/files/mnist.js');
  return Promise.all([mnist({ split: 'train', dir }), mnist({ split: 'test', dir })]);
}

/** Whether a value is a task made by `defineTask` (what a task module must export). */
const isTask = (v: unknown): v is Task<any> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Task<any>).render === 'function' &&
  typeof (v as Task<any>).name === 'string' &&
  Array.isArray((v as Task<any>).sampleShape);

/** The tasks an ES module exports (the contract workers use), and the URL it was imported by. */
export async function tasksOfModule(file: string): Promise<{ tasks: Task<any>[]; url: string }> {
  // A flag names a file (a bare name too, unlike the workers' taskModule, where it is a package); URLs pass as they are.
  const url = /^(file|data):/.test(file) ? file : pathToFileURL(resolve(file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const ts = /\.[cm]?ts$/.test(file) ? ' (a TypeScript module must be built to JavaScript first, or the CLI run under tsx)' : '';
    throw new OtfgenFileError(file, `cannot import the --task-module${ts}: ${(e as Error).message}`, { cause: e });
  }
  const tasks = [...new Set(Object.values(mod).filter(isTask))];
  if (tasks.length === 0) throw new OtfgenFileError(file, 'exports no task: export one made by defineTask (e.g. export const bars = defineTask({ ... }))');
  return { tasks, url };
}

/**
 * The task a command works on: a built-in by `--task <name>`, or one of a
 * module's exports (`--task-module <file>`). With a module, `--task` picks
 * the export by task name; without it the module must export exactly one.
 * `argument` names the task's option or argument in errors.
 */
export async function resolveTask(
  o: { readonly task?: string; readonly taskModule?: string },
  argument = '--task',
): Promise<{ task: Task<any>; taskModule?: string }> {
  if (o.taskModule === undefined) {
    if (o.task === undefined)
      throw new OtfgenArgumentError(argument, `name a built-in task (${Object.keys(builtinTasks).join(', ')}) or give --task-module <file>`);
    return { task: taskByName(o.task) };
  }
  const { tasks, url } = await tasksOfModule(o.taskModule);
  const names = tasks.map((t) => t.name).join(', ');
  if (o.task !== undefined) {
    const task = tasks.find((t) => t.name === o.task);
    if (!task) throw new OtfgenArgumentError(argument, `the --task-module ${o.taskModule} exports no task named '${o.task}'; it exports: ${names}`);
    return { task, taskModule: url };
  }
  if (tasks.length > 1) throw new OtfgenArgumentError(argument, `the --task-module ${o.taskModule} exports ${tasks.length} tasks (${names}): name one`);
  return { task: tasks[0], taskModule: url };
}

/** Parses a comma-separated list of numbers, naming the option in errors. */
export function numberList(option: string) {
  return (text: string): number[] => {
    const values = text.split(',').map((s) => Number(s.trim()));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v)))
      throw new OtfgenArgumentError(option, `expected comma-separated numbers, got '${text}'`);
    return values;
  };
}

/** Parses a positive integer option. */
export function positiveInt(option: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 1) throw new OtfgenArgumentError(option, `expected a positive integer, got '${text}'`);
    return v;
  };
}

/** Parses `--shard i/n`: shard i (from 0) of n. */
export function shardFlag(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || count < 1 || index >= count) throw new OtfgenArgumentError('--shard', `expected i/n with 0 <= i < n (e.g. 0/4 ... 3/4), got '${text}'`);
  return { index, count };
}

/**
 * The shard a batch scheduler names, for \`--shards n\`: a Kubernetes Indexed
 * Job's JOB_COMPLETION_INDEX (0 to n - 1), or a Slurm array's
 * SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN (n may come from
 * SLURM_ARRAY_TASK_COUNT). Null without --shards and without a Slurm array.
 */
export function shardFromEnvironment(shards: number | undefined, env: Readonly<Record<string, string | undefined>>): { index: number; count: number } | null {
  const int = (name: string) => {
    const v = env[name];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new OtfgenArgumentError(name, `expected a non-negative integer in the environment, got '${v}'`);
    return Number(v);
  };
  const k8s = int('JOB_COMPLETION_INDEX');
  const slurm = int('SLURM_ARRAY_TASK_ID');
  const count = shards ?? (slurm !== undefined ? int('SLURM_ARRAY_TASK_COUNT') : undefined);
  if (count === undefined) return null;
  const index = k8s ?? (slurm !== undefined ? slurm - (int('SLURM_ARRAY_TASK_MIN') ?? 0) : undefined);
  if (index === undefined) {
    throw new OtfgenArgumentError(
      '--shards',
      'names how many shards, but no shard index was found: give --shard i/n, or run under a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID)',
    );
  }
  if (index < 0 || index >= count) throw new OtfgenArgumentError('--shards', `the scheduler's index ${index} is not a shard of ${count} (0 to ${count - 1})`);
  return { index, count };
}

/** Parses a finite number above 0. */
export function positiveNumber(option: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new OtfgenArgumentError(option, `expected a number above 0, got '${text}'`);
    return v;
  };
}

/**
 * Parses a JSON object option (task parameters; the task checks the keys and values where it is used).
 * `@file` reads the object from a file; a report of `otfgen fit` (it has `fitted`) gives its `params`.
 */
export function jsonObject(option: string) {
  return (text: string): Record<string, unknown> => {
    const file = text.startsWith('@') ? text.slice(1) : undefined;
    if (file === '') throw new OtfgenArgumentError(option, "expected a file name after '@', e.g. @out/fit.json");
    let source = text;
    if (file !== undefined) {
      try {
        source = readFileSync(file, 'utf8');
      } catch (e) {
        throw new OtfgenFileError(file, `cannot read ${option}: ${(e as Error).message}`, { cause: e });
      }
    }
    const where = file === undefined ? `got '${text}'` : `in ${file}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      throw new OtfgenArgumentError(option, `expected JSON, ${where}`);
    }
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (file !== undefined && isObject(parsed) && 'fitted' in parsed) parsed = parsed.params;
    if (!isObject(parsed)) throw new OtfgenArgumentError(option, `expected a JSON object, ${where}`);
    return parsed;
  };
}

/** Single-quotes an argument for a POSIX shell when it holds more than plain characters. */
export const quote = (arg: string) => (/^[\w./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/**
 * `--seed`: digits are the number (so `--seed 1` and the default draw what `generate(task, { seed: 1 })`
 * draws in code), any other text a string seed. The default is the number 1, not the text '1'
 * (commander does not pass defaults through the parser, and a string seed draws other bytes).
 */
export const seedOption = () =>
  new Option('--seed <seed>', 'seed: an integer or any text').argParser((v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v)).default(1);

/** Chooses the backend (`--backend`) and prints which, and why. */
export async function useBackend(name: string): Promise<BackendSelection> {
  const { selectBackend } = await import('../node/backend/select.js');
  const sel = await selectBackend({ backend: name as 'auto' });
  const skipped = sel.skipped.length ? ` (skipped: ${sel.skipped.map((s) => `${s.choice}: ${s.why}`).join('; ')})` : '';
  console.log(`backend: ${sel.choice}, ${sel.reason}${skipped}`);
  return sel;
}

/** A markdown table: readable in a terminal, pasteable into the README. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

/** A progress bar with an ETA on a terminal; on a pipe (CI), nothing (callers print a line per run). */
export function progressBar(total: number, label: string): SingleBar {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} steps | ETA {eta_formatted} | {run}`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 200,
  });
  bar.start(total, 0, { run: '' });
  return bar;
}

/** The signals that stop a command, and the exit code a shell expects after each (128 + its number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Runs `run` (a command's long work) with a signal that Ctrl-C, SIGTERM or
 * SIGHUP aborts, so that what finished is saved and nothing is left running
 * (a command's worker threads and child processes stop on the abort): the
 * first such signal aborts and `run` ends early, a second exits at once. When
 * aborted, it says how to resume and sets the exit code a shell expects (130,
 * 143 or 129). The handlers are removed when `run` ends, so a command run in
 * this process leaves none behind. With `signal` (a caller's own), that is the
 * one `run` gets and the process signals are left alone.
 */
export async function interruptibly<T>(run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<{ value: T; interrupted: boolean }> {
  const ctl = new AbortController();
  let code = 130;
  const quit = () => process.exit(code);
  const first = (name: StopSignal) => {
    code = STOP_SIGNALS[name];
    console.error(`\ninterrupted (${name}): finishing up and saving finished runs (again to quit now)`);
    ctl.abort();
    for (const s of stops) process.removeListener(s, onSignal);
    for (const s of stops) process.once(s, quit);
  };
  const onSignal = (name: NodeJS.Signals) => first(name as StopSignal);
  const stops = Object.keys(STOP_SIGNALS) as StopSignal[];
  if (!signal) for (const s of stops) process.once(s, onSignal);
  try {
    const value = await run(signal ?? ctl.signal);
    const interrupted = (signal ?? ctl.signal).aborted;
    if (interrupted) {
      console.log('interrupted: run the same command again to resume');
      process.exitCode = code;
    }
    return { value, interrupted };
  } finally {
    for (const s of stops) {
      process.removeListener(s, onSignal);
      process.removeListener(s, quit);
    }
  }
}
