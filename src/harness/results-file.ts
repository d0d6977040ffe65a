/**
 * The results file of the resumable experiments (`runSweep`, `runOneShot`):
 * `results.json` in the results folder, `{ config, rows }`, written whole after
 * every run. A run resumes from it only when the settings its rows depend on
 * but do not record are the same.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OtfgenFileError } from '../core/errors.js';
import { writeJsonAtomic } from '../node/writers/atomic-file.js';

export interface ResultsFile<C, R> {
  readonly config: C;
  readonly rows: R[];
}

/**
 * A run's settings, each as a phrase for the error that refuses a file made
 * with others ('on MNIST', 'with blend switch'), defaults filled in.
 */
export type Settings<C> = (config: Partial<C>) => Record<string, string>;

/** JSON with object keys sorted, so equal params give equal text whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The settings both experiments have: which data (`--data`), and the procedural task's params. */
export function dataAndParams(c: { readonly data?: string; readonly params?: Readonly<Record<string, unknown>> }): Record<string, string> {
  return {
    data: c.data === undefined ? 'on MNIST' : `on the data in ${c.data}`,
    params: c.params === undefined ? 'with the default parameters' : `with params ${canonicalJson(c.params)}`,
  };
}

/** Writes `outDir/results.json` (whole or not at all: a crash leaves the one before), making the folder if it is missing. */
export async function writeResultsFile<C, R>(outDir: string, results: ResultsFile<C, R>): Promise<void> {
  await writeJsonAtomic(join(outDir, 'results.json'), results);
}

/**
 * The rows of `outDir/results.json`, under `config`, or none when there is no
 * file. A file that is not one, or that holds runs made with other
 * `settings`, is refused with an error naming it and the settings.
 */
export async function readResultsFile<C, R>(outDir: string, config: C, settings: Settings<C>, what: string): Promise<ResultsFile<C, R>> {
  const path = join(outDir, 'results.json');
  if (!existsSync(path)) return { config, rows: [] };
  let parsed: ResultsFile<Partial<C> | undefined, R>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as ResultsFile<Partial<C> | undefined, R>;
    if (!Array.isArray(parsed.rows)) throw new Error('no rows array');
  } catch (e) {
    throw new OtfgenFileError(path, `is not a ${what} results file (${(e as Error).message}); move it away or choose another --out`);
  }
  refuseOtherSettings(path, settings(parsed.config ?? {}), settings(config));
  return { config, rows: parsed.rows };
}

/** Refuses the file at `path`, naming the first setting its runs were made with that differs from the ones asked for. */
export function refuseOtherSettings(path: string, saved: Record<string, string>, wanted: Record<string, string>): void {
  for (const [name, value] of Object.entries(wanted)) {
    if (saved[name] !== value) throw new OtfgenFileError(path, `holds runs ${saved[name]}, not ${value}: choose another --out`);
  }
}
