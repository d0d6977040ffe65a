/** `--jobs`: CLI commands that train seeds one after another can train them in child processes instead. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { OtfgenArgumentError, OtfgenError } from '../../../src/core/errors.js';
import { writeResultsFile, type ResultsFile } from '../../../src/harness/results-file.js';

export interface SeedProcessesOptions<T> {
  /** The command, for messages and the temporary folder's name (e.g. 'synthetic-only'). */
  readonly command: string;
  /** The otfgen CLI script the children run (dist/cli.js; main.ts passes its own file). */
  readonly cliScript: string | undefined;
  readonly seeds: readonly number[];
  /** Children at once. */
  readonly jobs: number;
  /** The CLI arguments (after the script) that run one seed and write its results to `out`, a path in a temporary folder. */
  readonly args: (seed: number, out: string) => string[];
  /** Reads what a seed's child wrote at `out`. */
  readonly read: (out: string) => Promise<T>;
  /** Which lines of a child's output to print, prefixed with its seed (default: all). Its error output is always printed. */
  readonly show?: (line: string) => boolean;
  /** Called before a seed's child starts, e.g. to put there (at `out`) the results file it resumes. */
  readonly prepare?: (seed: number, out: string) => Promise<void>;
  /**
   * Called for every seed whose child started, in seed order, once all have
   * stopped, whether they finished or not, before the temporary folder is
   * removed: a resumable command keeps there what a failed or interrupted
   * child had saved.
   */
  readonly settle?: (seed: number, out: string) => Promise<void>;
  /**
   * When it aborts, no more children start and those running get SIGINT (a resumable command's
   * children save finished runs and stop). Without one, a SIGINT to this process (Ctrl-C) does the
   * same, and the run then fails with an error that says it was interrupted (exit code 130): the
   * children and the temporary folder are gone either way.
   */
  readonly signal?: AbortSignal;
}

/** For `show`: a child's per-run lines (those indented by two spaces); its header, backend, table and list of files would print once per seed. */
export const runLines = (line: string): boolean => line.startsWith('  ');

/**
 * Runs each seed as its own otfgen process, `jobs` at a time (tfjs trains on
 * one thread, so seeds in parallel use the other cores). Their lines (those
 * `show` picks) are printed prefixed with the seed; what they wrote is
 * returned in seed order.
 * If one fails, the others are stopped and the temporary folder is removed
 * before a typed error naming the seed is thrown.
 */
export async function runSeedsInProcesses<T>(o: SeedProcessesOptions<T>): Promise<T[]> {
  if (!o.cliScript) throw new OtfgenArgumentError('cliScript', 'jobs > 1 runs the otfgen CLI in child processes: pass the path of its script (dist/cli.js)');
  const dir = await mkdtemp(join(tmpdir(), `otfgen-${o.command}-`));
  const outOf = (seed: number) => join(dir, `seed-${seed}`);
  const children = new Set<ReturnType<typeof spawn>>();
  const queue = [...o.seeds];
  const started: number[] = [];
  let stopped = false;
  const own = o.signal ? undefined : new AbortController();
  const signal = o.signal ?? own!.signal;
  const onSigint = () => own?.abort();
  if (own) process.once('SIGINT', onSigint);
  const interrupt = () => {
    queue.length = 0;
    for (const child of children) child.kill('SIGINT');
  };
  signal.addEventListener('abort', interrupt);
  const runOne = (seed: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(seed);
      const child = spawn(process.execPath, [...process.execArgv, o.cliScript!, ...o.args(seed, outOf(seed))], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!o.show || o.show(line)) console.log(`[seed ${seed}] ${line}`);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => console.error(`[seed ${seed}] ${line}`));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        children.delete(child);
        if (signal === 'SIGINT') own?.abort(); // a Ctrl-C reached the child first
        if (code === 0) resolve();
        else
          reject(
            new OtfgenError(
              'ERR_RUN',
              `${o.command}: the process of seed ${seed} failed (${signal ?? `exit code ${code}`}); its output above, prefixed [seed ${seed}], says why`,
            ),
          );
      });
    });
  try {
    await Promise.all(
      Array.from({ length: Math.min(o.jobs, o.seeds.length) }, async () => {
        for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
          await o.prepare?.(seed, outOf(seed));
          if (!stopped && !signal.aborted) await runOne(seed);
        }
      }),
    );
    if (own?.signal.aborted) throw interrupted(o.command);
    return await Promise.all(o.seeds.map((s) => o.read(outOf(s))));
  } catch (e) {
    throw own?.signal.aborted ? interrupted(o.command) : e;
  } finally {
    signal.removeEventListener('abort', interrupt);
    if (own) process.removeListener('SIGINT', onSigint);
    stopped = true;
    queue.length = 0;
    for (const child of children) child.kill();
    // The children still running are stopped (above) before what they saved is read.
    await Promise.all([...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r)))));
    try {
      for (const seed of [...started].sort((a, b) => a - b)) await o.settle?.(seed, outOf(seed));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A Ctrl-C stopped the children of a command without a signal of its own: exit code 130, as a shell expects. */
function interrupted(command: string): OtfgenError {
  process.exitCode = 130;
  return new OtfgenError('ERR_RUN', `${command}: interrupted; the seeds' processes are stopped and their results dropped`);
}

/**
 * `--jobs` for a resumable command (sweep, scaling, one-shot): each of `seeds` runs in a child
 * process that resumes from that seed's rows of `results` (put in its folder first); the rows each
 * child saved, even if it failed or was interrupted, are added to `results` and written to
 * `outDir/results.json`, in seed order. An abort of `signal` stops the children, which save what
 * finished: it is not an error.
 */
export async function resumeSeedsInProcesses<C, R extends { readonly seed: number }>(o: {
  readonly command: string;
  readonly cliScript: string | undefined;
  readonly seeds: readonly number[];
  readonly jobs: number;
  readonly signal: AbortSignal;
  readonly outDir: string;
  readonly results: ResultsFile<C, R>;
  /** The child's arguments: this command for one seed (`--only-seed`), its results folder `out`. */
  readonly args: (seed: number, out: string) => string[];
}): Promise<void> {
  const seedRows = (rows: readonly R[], seed: number) => rows.filter((r) => r.seed === seed);
  await runSeedsInProcesses({
    command: o.command,
    cliScript: o.cliScript,
    seeds: o.seeds,
    jobs: o.jobs,
    signal: o.signal,
    prepare: (seed, out) => writeResultsFile(out, { config: { ...o.results.config, onlySeed: seed }, rows: seedRows(o.results.rows, seed) }),
    args: o.args,
    read: async () => undefined,
    settle: async (seed, out) => {
      const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as ResultsFile<C, R>;
      const added = seedRows(saved.rows, seed).slice(seedRows(o.results.rows, seed).length);
      if (added.length === 0) return;
      o.results.rows.push(...added);
      await writeResultsFile(o.outDir, o.results);
    },
    show: runLines,
  }).catch((e: unknown) => {
    if (!o.signal.aborted) throw e; // interrupted: what finished is kept
  });
}
