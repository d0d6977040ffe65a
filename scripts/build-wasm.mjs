/**
 * Assembles the generators' WebAssembly hot loops from their text sources
 * (src/**\/*.wat) with wabt, into a TypeScript module beside each
 * (name.wat -> name.wasm.ts, the bytes in base64). `npm run build` runs it
 * before bundling; the generated modules are committed, so the source runs
 * under tsx and vitest without a build, and test/wasm-sources.test.ts fails
 * when one is stale.
 *
 *   node scripts/build-wasm.mjs   writes the modules that changed
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each .wat under src/ with its generated module's path, what it holds now and what it should hold. */
export async function wasmSources() {
  const wabt = await createRequire(import.meta.url)('wabt')();
  const src = join(root, 'src');
  const wats = readdirSync(src, { recursive: true })
    .filter((f) => f.endsWith('.wat'))
    .sort();
  return wats.map((file) => {
    const wat = join(src, file);
    const module = wabt.parseWat(basename(wat), readFileSync(wat, 'utf8'));
    let bytes;
    try {
      module.validate();
      bytes = module.toBinary({}).buffer;
    } finally {
      module.destroy();
    }
    const ts = wat.replace(/\.wat$/, '.wasm.ts');
    const expected =
      `// Assembled from ${basename(wat)} by scripts/build-wasm.mjs (npm run build): edit the .wat, not this file.\n` +
      `export default '${Buffer.from(bytes).toString('base64')}';\n`;
    let actual = null;
    try {
      actual = readFileSync(ts, 'utf8');
    } catch {
      // not generated yet
    }
    return { wat: relative(root, wat), ts: relative(root, ts), expected, actual };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stale = (await wasmSources()).filter((s) => s.actual !== s.expected);
  for (const s of stale) writeFileSync(join(root, s.ts), s.expected);
  if (stale.length) console.log(`assembled ${stale.map((s) => s.ts).join(', ')}`);
}
