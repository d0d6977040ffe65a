/** What the CLI commands share: backend selection, MNIST, tables, progress. */
import '@tensorflow/tfjs-layers'; // registers the gradients training needs (tfjs-core's Node build does not)
import { SingleBar } from 'cli-progress';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { OtfgenArgumentError, OtfgenFileError } from '../errors.js';
import { selectBackend, type BackendChoice, type BackendSelection } from '../backend/select.js';
import { mnist, type MnistDataset } from '../sources/mnist.js';
import { sourcesTakingParams } from '../harness/sources.js';
import { taskByName } from '../tasks/index.js';
import type { Task } from '../tasks/define-task.js';

/** The training and test splits of MNIST, or of the IDX files in `--data`'s folder. */
export function realData(dir: string | undefined): Promise<[MnistDataset, MnistDataset]> {
  return Promise.all([mnist({ split: 'train', dir }), mnist({ split: 'test', dir })]);
}

/** Parses a comma-separated list of numbers, naming the option in errors. */
export function numberList(option: string) {
  return (text: string): number[] => {
    const values = text.split(',').map((s) => Number(s.trim()));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new OtfgenArgumentError(option, `expected comma-separated numbers, got '${text}'`);
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

/** For a command's first line: '; params {...} for digits, exemplars-digits', or '' without params. */
export function paramsPhrase(sources: readonly string[], params: Readonly<Record<string, unknown>> | undefined, argument: string): string {
  return params === undefined ? '' : `; params ${JSON.stringify(params)} for ${sourcesTakingParams(sources, params, argument).join(', ')}`;
}

/** `--data` and `--params` as a `--jobs` child's arguments (none for what is unset). */
export function dataAndParamsArgs(o: { readonly data?: string; readonly params?: Readonly<Record<string, unknown>> }): string[] {
  return [...(o.data === undefined ? [] : ['--data', o.data]), ...(o.params === undefined ? [] : ['--params', JSON.stringify(o.params)])];
}

/** Single-quotes an argument for a POSIX shell when it holds more than plain characters. */
export const quote = (arg: string) => (/^[\w./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/**
 * `--seed`: digits are the number (so `--seed 1` and the default draw what `generate(task, { seed: 1 })`
 * draws in code), any other text a string seed. The default is the number 1, not the text '1'
 * (commander does not pass defaults through the parser, and a string seed draws other bytes).
 */
export const seedOption = () => new Option('--seed <seed>', 'seed: an integer or any text').argParser((v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v)).default(1);

export async function useBackend(name: string): Promise<BackendSelection> {
  const sel = await selectBackend({ backend: name as BackendChoice | 'auto' });
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

/**
 * Runs `run` (a resumable command's training) with a signal that Ctrl-C aborts, so that what
 * finished is saved: a first Ctrl-C aborts and `run` ends early, a second exits at once. When
 * aborted, it says how to resume and sets exit code 130. The SIGINT handlers are removed when `run`
 * ends, so a command run in this process leaves none behind. With `signal` (a caller's own), that is
 * the one `run` gets and Ctrl-C is left alone.
 */
export async function interruptibly<T>(run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<{ value: T; interrupted: boolean }> {
  const ctl = new AbortController();
  const quit = () => process.exit(130);
  const first = () => {
    console.error('\ninterrupted: finishing up and saving finished runs (Ctrl-C again to quit now)');
    ctl.abort();
    process.once('SIGINT', quit);
  };
  if (!signal) process.once('SIGINT', first);
  try {
    const value = await run(signal ?? ctl.signal);
    const interrupted = (signal ?? ctl.signal).aborted;
    if (interrupted) {
      console.log('interrupted: run the same command again to resume');
      process.exitCode = 130;
    }
    return { value, interrupted };
  } finally {
    process.removeListener('SIGINT', first);
    process.removeListener('SIGINT', quit);
  }
}

/**
 * The built-in task `name`, which must be a class task of 10 classes: for the commands that test on or
 * train with MNIST's (or the `--data`'s) ten labels. The error names `argument` and starts with
 * `what` ("synthetic-only tests on").
 */
export function tenClassTask(name: string, argument: string, what: string): Task<any> {
  const task = taskByName(name);
  if (task.target.kind !== 'class' || task.target.classes !== 10) {
    throw new OtfgenArgumentError(argument, `${what} 10 classes (MNIST's digits, or the --data's): expected a task with 10 classes, such as digits or fashion, got '${name}'`);
  }
  return task;
}
