/** The design's layers as lint rules: a probe file in a low layer that imports upwards, or a Node built-in, is refused. */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const lint = async (file: string, text: string) => {
  const [result] = await new ESLint({ cwd: root }).lintText(text, { filePath: join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
};

describe('the layer rules', () => {
  it('refuse an import from a higher layer, naming both', async () => {
    const messages = await lint('src/core/probe.ts', "import { fitParams } from '../fit/fit-params.js';\nexport const f = fitParams;\n");
    expect(messages).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*src\/core is below src\/fit: layers import downwards only/)]);
  });

  it('let a layer import the ones below it', async () => {
    expect(await lint('src/fit/probe.ts', "import { Rng } from '../core/rng.js';\nexport const r = new Rng(1);\n")).toEqual([]);
  });

  it('keep Node built-ins out of the browser-safe layers, and allow them in src/node', async () => {
    const text = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
    expect(await lint('src/tasks/probe.ts', text)).toEqual([expect.stringMatching(/^no-restricted-imports: .*browser-safe code/)]);
    expect(await lint('src/node/probe.ts', text)).toEqual([]);
  });

  it('keep the studies out of the library', async () => {
    const messages = await lint('src/harness/probe.ts', "import { SOURCES } from '../../benchmarks/study/sources.js';\nexport const s = SOURCES;\n");
    expect(messages).toEqual([expect.stringMatching(/the library never imports the studies/)]);
  });
});
