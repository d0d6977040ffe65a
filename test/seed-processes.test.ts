import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runSeedsInProcesses } from '../benchmarks/study/cli/seed-processes.js';
import { commandTestDir } from './helpers.js';

const dir = commandTestDir('otfgen-seed-processes-');

// A stand-in for the CLI: marks its --out folder running, says so, and on SIGINT marks it saved and exits 130, as an interrupted sweep does.
const CHILD = `import { mkdirSync, writeFileSync } from 'node:fs';
const out = process.argv[process.argv.indexOf('--out') + 1];
mkdirSync(out, { recursive: true });
writeFileSync(out + '/state', 'running');
process.on('SIGINT', () => { writeFileSync(out + '/state', 'saved'); process.exit(130); });
console.log('  ready');
setInterval(() => {}, 1000);
`;

describe('runSeedsInProcesses', () => {
  it('on abort, starts no more children, sends SIGINT to those running, and settles each started seed in seed order before removing the folder', async () => {
    const script = join(dir.path, 'child.mjs');
    await writeFile(script, CHILD);
    const ctl = new AbortController();
    const prepared: number[] = [];
    const settled: string[] = [];
    let ready = 0;
    let folder = '';
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const run = runSeedsInProcesses({
      command: 'test',
      cliScript: script,
      seeds: [1, 2, 3, 4],
      jobs: 2,
      signal: ctl.signal,
      args: (_seed, out) => ['--out', out],
      prepare: async (seed, out) => {
        prepared.push(seed);
        folder = dirname(out);
      },
      read: async () => undefined,
      settle: async (seed, out) => {
        settled.push(`${seed} ${await readFile(join(out, 'state'), 'utf8')}`);
      },
      show: (line) => {
        if (line === '  ready' && ++ready === 2) ctl.abort();
        return false;
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ERR_RUN', message: expect.stringMatching(/^test: the process of seed [12] failed \(exit code 130\)/) });
    expect(prepared).toEqual([1, 2]);
    expect(settled).toEqual(['1 saved', '2 saved']);
    expect(existsSync(folder)).toBe(false);
  }, 30_000);

  it('without a signal, a SIGINT to this process (Ctrl-C) stops the children, removes the folder and fails with exit code 130', async () => {
    const script = join(dir.path, 'child.mjs');
    await writeFile(script, CHILD);
    expect(process.listenerCount('SIGINT')).toBe(0);
    let ready = 0;
    let folder = '';
    const run = runSeedsInProcesses({
      command: 'test',
      cliScript: script,
      seeds: [1, 2, 3],
      jobs: 2,
      args: (_seed, out) => {
        folder = dirname(out);
        return ['--out', out];
      },
      read: async () => undefined,
      show: (line) => {
        if (line === '  ready' && ++ready === 2) process.emit('SIGINT');
        return false;
      },
    });
    try {
      await expect(run).rejects.toMatchObject({ code: 'ERR_RUN', message: "test: interrupted; the seeds' processes are stopped and their results dropped" });
      expect(process.exitCode).toBe(130);
    } finally {
      process.exitCode = undefined;
    }
    expect(ready).toBe(2);
    expect(existsSync(folder)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(0);
  }, 30_000);
});
