/**
 * The commands whose result is one JSON report holding a run per seed (`synthetic-only`,
 * `read-back`). A report resumes: the seeds it holds are not run again, and it is written whole
 * after every seed, so a failure or Ctrl-C keeps the seeds that finished.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { OtfgenFileError } from '../errors.js';
import { refuseOtherSettings } from '../harness/results-file.js';
import { runLines, runSeedsInProcesses } from './seed-processes.js';

/** What every run of a report has. */
export interface SeedRun {
  readonly seed: number;
}

/**
 * The runs of the report at `path` (none when there is no file) and its backend. A file that is
 * not a report of `command` (`isRuns` says whether its `runs` are), or whose runs were made with
 * other settings (`settings` of it against those of `head`), is refused, naming it.
 */
export async function readSeedReport<H, R extends SeedRun>(
  path: string,
  o: {
    readonly command: string;
    readonly head: H;
    readonly settings: (head: Partial<H>) => Record<string, string>;
    /** Whether a report's `runs` are runs of this command; throws or returns false if not. */
    readonly isRun: (run: Partial<R>) => boolean;
  },
): Promise<{ runs: R[]; backend: string }> {
  if (!existsSync(path)) return { runs: [], backend: '' };
  let parsed: Partial<H> & { runs?: R[]; backend?: string };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
    if (!Array.isArray(parsed.runs) || !parsed.runs.every((r) => Number.isInteger(r?.seed) && o.isRun(r))) throw new Error('no runs array of seeds and their results');
  } catch (e) {
    throw new OtfgenFileError(path, `is not a ${o.command} report (${(e as Error).message}); move it away or choose another --out`);
  }
  refuseOtherSettings(path, o.settings(parsed), o.settings(o.head as Partial<H>));
  return { runs: parsed.runs, backend: parsed.backend ?? '' };
}

/**
 * The seeds part of the command that makes a report of `runs` (in seed order; a resumed report may
 * hold seeds this invocation did not ask for): seeds 1..n are `--seeds n`, one seed `--only-seed s`;
 * any other set has no one command, and this invocation's is given.
 */
export function seedArgs(runs: readonly SeedRun[], asked: { readonly seeds: number; readonly onlySeed?: number }): string[] {
  if (runs.every((r, i) => r.seed === i + 1)) return ['--seeds', String(runs.length)];
  if (runs.length === 1) return ['--only-seed', String(runs[0].seed)];
  return asked.onlySeed !== undefined ? ['--only-seed', String(asked.onlySeed)] : ['--seeds', String(asked.seeds)];
}

/**
 * `--jobs`: each seed runs as `otfgen <command> ... --only-seed s --out <file>` (`args`) in its own
 * process; `add` gets each finished seed's run and its backend, in seed order, once all have
 * stopped, also when one failed or `signal` aborted (so what finished is kept). An abort is not an
 * error.
 */
export async function seedReportsInProcesses<R extends SeedRun>(o: {
  readonly command: string;
  readonly cliScript: string | undefined;
  readonly seeds: readonly number[];
  readonly jobs: number;
  readonly signal: AbortSignal;
  readonly args: (seed: number, out: string) => string[];
  readonly add: (run: R, backend: string) => Promise<void>;
}): Promise<void> {
  await runSeedsInProcesses({
    command: o.command,
    cliScript: o.cliScript,
    seeds: o.seeds,
    jobs: o.jobs,
    signal: o.signal,
    args: o.args,
    read: async () => undefined,
    settle: async (_, out) => {
      if (!existsSync(out)) return; // stopped before its seed finished
      const r = JSON.parse(await readFile(out, 'utf8')) as { backend: string; runs: R[] };
      await o.add(r.runs[0], r.backend);
    },
    show: runLines,
  }).catch((e: unknown) => {
    if (!o.signal.aborted) throw e;
  });
}
