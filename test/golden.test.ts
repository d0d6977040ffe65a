import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digits, fashion, pixelCount, renderBatch, type Task } from '../src/index.js';
import { builtinTasks } from '../src/tasks/index.js';

/**
 * The committed experiment results (benchmarks/results) were made with these
 * renderers' bytes. Speed work on a renderer must keep them; a change meant to
 * change what a task draws updates the hash here and reruns the experiments
 * that use the task (the README lists their commands).
 */
function bytesHash(task: Task<any>): string {
  const h = createHash('sha256');
  for (let k = 0; k < 4; k++) {
    const b = renderBatch(task, { seed: 3, index: k, batchSize: 64 });
    h.update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength));
    h.update(new Uint8Array(b.y.buffer, b.y.byteOffset, b.y.byteLength));
  }
  return h.digest('hex');
}

/**
 * Each built-in task's bytes at its current version. A change that alters the
 * bytes must raise the task's `version` (recipes of the old version are then
 * refused, not regenerated differently) and put the new version's hash here:
 * a new hash under the same version fails, and so does a raised version
 * without its hash.
 */
const GOLDEN: Record<string, { task: Task<any>; version: number; sha256: string }> = {
  digits: { task: digits, version: 1, sha256: '0bf2f9cc0b63c0af3ec823c6db0c186534e93d9fed608c008a6036256618760a' },
  'pixel-count': { task: pixelCount, version: 1, sha256: '7973a77e37be5cb770033584b8903e2bab02c1922f6592bbc66deaf682ca070a' },
  fashion: { task: fashion, version: 1, sha256: 'e488cae22a7df69d2731257605dcc288b914d2eba8dc99fc193a6c1778b33479' },
};

describe('renderers draw the bytes of their version (the committed results were made with these)', () => {
  for (const [name, golden] of Object.entries(GOLDEN)) {
    it(`${name} version ${golden.version}`, () => {
      expect(golden.task.name).toBe(name);
      expect(golden.task.version).toBe(golden.version);
      expect(bytesHash(golden.task)).toBe(golden.sha256);
    });
  }

  it('every built-in task is here', () => {
    expect(Object.keys(GOLDEN).sort()).toEqual(Object.keys(builtinTasks).sort());
  });
});
