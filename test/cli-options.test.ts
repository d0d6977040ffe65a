import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError } from '../src/index.js';
import { jsonObject, positiveInt, seedOption } from '../src/cli/common.js';
import { builtCli, studyCli } from './helpers.js';

describe('CLI option parsers', () => {
  it('--params: a JSON object, or a typed error naming the option', () => {
    const parse = jsonObject('--params');
    expect(parse('{"styleWeights":[0,0,0,0,1,1],"slant":[-20,30]}')).toEqual({ styleWeights: [0, 0, 0, 0, 1, 1], slant: [-20, 30] });
    expect(() => parse('{slant: 3}')).toThrow(OtfgenArgumentError);
    expect(() => parse('{slant: 3}')).toThrow(/--params: expected JSON, got '\{slant: 3\}'/);
    for (const notObject of ['[1, 2]', 'null', '3', '"x"']) expect(() => parse(notObject)).toThrow(/--params: expected a JSON object/);
  });

  it('positive integers', () => {
    expect(positiveInt('--steps')('30')).toBe(30);
    for (const bad of ['0', '-2', '1.5', 'x']) expect(() => positiveInt('--steps')(bad)).toThrow(/--steps: expected a positive integer/);
  });

  it('--seed: digits are a number, other text a string seed, and the default is the number 1', () => {
    const option = seedOption();
    expect(option.parseArg!('7', undefined)).toBe(7);
    expect(option.parseArg!('run-a', undefined)).toBe('run-a');
    expect(option.defaultValue).toBe(1);
  });
});

describe('the otfgen command', () => {
  const runWith = (cli: string) => (args: string[]) =>
    promisify(execFile)(process.execPath, [cli, ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
  const run = runWith(builtCli);
  const study = runWith(studyCli);

  it('prints a system error about a path as one line naming the path, exit code 1', async () => {
    // A folder inside a file: ENOTDIR, whoever runs the test.
    const { code, stderr } = await run(['export', '--task', 'digits', '--count', '1', '--out', `${builtCli}/out`]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`otfgen: ENOTDIR: not a directory, mkdir '${builtCli}/out'`);
  });

  // Issue 40, item 11: export made its folder before checking, and named internal options ('generate options.workers').
  it('export checks its flags first, names them, and makes no folder', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'otfgen-export-flags-'));
    try {
      const out = join(root, 'out');
      const workers = await run(['export', '--task', 'digits', '--count', '5', '--workers', '300', '--out', out]);
      expect(workers.stderr.trim()).toMatch(/^otfgen: --workers: expected an integer in \[1, 256\]/);
      const split = await run(['export', '--task', 'pixel-count', '--count', '5', '--split', 'train', '--out', out]);
      expect(split.stderr.trim()).toMatch(/^otfgen: --split: names the files as MNIST's/);
      const params = await run(['export', '--task', 'digits', '--count', '5', '--params', '{"slant":[99,100]}', '--out', out]);
      expect(params.stderr.trim()).toMatch(/^otfgen: --params\.slant:/);
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const { stdout } = await promisify(execFile)(process.execPath, [builtCli, '--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('prints our own errors as one line too', async () => {
    const { code, stderr } = await run(['preview', 'nope']);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^otfgen: unknown task 'nope'; known tasks: pixel-count, digits, fashion$/);
  });

  it('names --params when a parameter is out of range or unknown, before anything runs', async () => {
    const range = await study([
      'synthetic-only',
      '--task',
      'digits',
      '--params',
      '{"slant":[99,100]}',
      '--steps',
      '1',
      '--seeds',
      '1',
      '--out',
      `${builtCli}/none.json`,
    ]);
    expect(range.code).toBe(1);
    expect(range.stderr.trim()).toBe('otfgen: --params.slant: expected a number or a [lo, hi] range within [-45, 45], got [99, 100]');
    const unknown = await run(['preview', 'digits', '--params', '{"colour":1}', '--out', `${builtCli}/none.png`]);
    expect(unknown.stderr.trim()).toMatch(/^otfgen: --params.colour: task 'digits' has no such parameter; it has: strokeWidth/);
    const readBack = await study(['read-back', 'fashion', '--params', '{"width":9}', '--out', `${builtCli}/none.json`]);
    expect(readBack.stderr.trim()).toMatch(/^otfgen: --params.width: expected a number or a \[lo, hi\] range within/);
    // The commands on named sources (their harness functions say 'sweep params' and 'one-shot params').
    const sweep = await study(['sweep', '--tasks', 'digits', '--params', '{"slant":[0,500]}', '--seeds', '1', '--steps', '1', '--out', `${builtCli}/none`]);
    expect(sweep.stderr.trim()).toBe('otfgen: --params.slant: expected a number or a [lo, hi] range within [-45, 45], got [0, 500]');
    const scaling = await study(['scaling', '--task', 'digits', '--params', '{"bogus":1}', '--seeds', '1', '--out', `${builtCli}/none`]);
    expect(scaling.stderr.trim()).toMatch(/^otfgen: --params.bogus: task 'digits' has no such parameter; it has: strokeWidth/);
    const oneShot = await study(['one-shot', '--methods', 'exemplars-thick', '--params', '{"centre":14}', '--seeds', '1', '--out', `${builtCli}/none`]);
    expect(oneShot.stderr.trim()).toMatch(/^otfgen: --params: sets the parameters of a procedural task, and none of exemplars-thick is built on one/);
    // An unknown method is still named as one, not as a --params problem.
    const unknownMethod = await study(['one-shot', '--methods', 'nope', '--params', '{"centre":14}', '--seeds', '1', '--out', `${builtCli}/none`]);
    expect(unknownMethod.stderr.trim()).toMatch(/^otfgen: unknown one-shot method 'nope'/);
    for (const r of [sweep, scaling, oneShot, unknownMethod]) expect(r.code).not.toBe(0);
    // The library's sweep of one task names the flag too.
    const own = await run(['sweep', 'digits', '--params', '{"slant":[0,500]}', '--steps', '1', '--out', `${builtCli}/none`]);
    expect(own.code).toBe(1);
    expect(own.stderr.trim()).toBe('otfgen: --params.slant: expected a number or a [lo, hi] range within [-45, 45], got [0, 500]');
  });
});
