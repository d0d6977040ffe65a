/**
 * The commands whose result is one JSON report holding a run per seed (`synthetic-only`,
 * `read-back`). A report resumes: the seeds it holds are not run again, and it is written whole
 * after every seed, so a failure or Ctrl-C keeps the seeds that finished.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { OtfgenFileError } from '../../../src/core/errors.js';
import { refuseOtherSettings } from '../../../src/harness/results-file.js';
import { interruptibly, useBackend } from './common.js';
import { runLines, runSeedsInProcesses } from './seed-processes.js';

/** What every run of a report has. */
export interface SeedRun {
  readonly seed: number;
}

/**
 * The runs of the report at `path` (none when there is no file) and its backend. A file that is
 * not a report of `command` (`isRun` says whether each of its `runs` is one), or whose runs were made with
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
    if (!Array.isArray(parsed.runs) || !parsed.runs.every((r) => Number.isInteger(r?.seed) && o.isRun(r)))
      throw new Error('no runs array of seeds and their results');
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
 * Runs the seeds of `todo` (those the report lacks), handing each finished run and the backend it
 * ran on to `add`, which saves the report: in this process, after choosing `backend` (the
 * `--backend`), by `runSeed` (undefined: interrupted, the seed under way dropped); or, with
 * `jobs` > 1, each seed as `otfgen <command> ... --only-seed s --out <file>` (`childArgs`) in its
 * own process, the runs added in seed order once all have stopped, also when one failed or the run
 * was interrupted (so what finished is kept). `prepare` runs first, when there is a seed to run.
 * Returns whether it was interrupted (by `signal`, or else by Ctrl-C; exit code 130).
 */
export async function runReportSeeds<R extends SeedRun>(o: {
  readonly command: string;
  readonly todo: readonly number[];
  readonly jobs: number;
  readonly cliScript: string | undefined;
  readonly backend: string;
  readonly signal?: AbortSignal;
  readonly prepare?: () => Promise<void>;
  readonly childArgs: (seed: number, out: string) => string[];
  readonly runSeed: (seed: number, signal: AbortSignal) => Promise<R | undefined>;
  readonly add: (run: R, backend: string) => Promise<void>;
}): Promise<boolean> {
  const { interrupted } = await interruptibly(async (signal) => {
    if (o.todo.length === 0) return;
    await o.prepare?.();
    if (o.jobs <= 1) {
      const backend = (await useBackend(o.backend)).choice;
      for (const seed of o.todo) {
        const run = await o.runSeed(seed, signal);
        if (!run) return;
        await o.add(run, backend);
      }
      return;
    }
    await runSeedsInProcesses({
      command: o.command,
      cliScript: o.cliScript,
      seeds: o.todo,
      jobs: o.jobs,
      signal,
      args: o.childArgs,
      read: async () => undefined,
      settle: async (_, out) => {
        if (!existsSync(out)) return; // stopped before its seed finished
        const r = JSON.parse(await readFile(out, 'utf8')) as { backend: string; runs: R[] };
        await o.add(r.runs[0], r.backend);
      },
      show: runLines,
    }).catch((e: unknown) => {
      if (!signal.aborted) throw e;
    });
  }, o.signal);
  return interrupted;
}
