/**
 * The generators' WebAssembly is assembled from text (src/**\/*.wat) by
 * scripts/build-wasm.mjs into committed *.wasm.ts modules: each must hold
 * what its source assembles to today, and each must be the module its
 * generator compiles.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript without declarations
import { wasmSources } from '../scripts/build-wasm.mjs';
import { wasmBytes } from '../src/image/wasm.js';
import bits from '../src/tasks/bits.wasm.js';
import segments from '../src/tasks/digits/segments.wasm.js';
import shade from '../src/tasks/fashion/shade.wasm.js';

interface WasmSource {
  wat: string;
  ts: string;
  expected: string;
  actual: string | null;
}

describe('WebAssembly sources', () => {
  it('every generated module holds what its .wat assembles to (run npm run build after editing a .wat)', async () => {
    const sources = (await wasmSources()) as WasmSource[];
    expect(sources.map((s) => s.wat)).toEqual(['src/tasks/bits.wat', 'src/tasks/digits/segments.wat', 'src/tasks/fashion/shade.wat']);
    for (const s of sources) expect(s.actual, `${s.ts} is stale`).toBe(s.expected);
  });

  it('each module validates and exports the functions its generator calls', () => {
    const exportsOf = (base64: string) => {
      const bytes = wasmBytes(base64);
      expect(WebAssembly.validate(bytes)).toBe(true);
      return WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => `${e.kind} ${e.name}`);
    };
    expect(exportsOf(bits)).toEqual(['function unpack', 'function bernoulli']);
    expect(exportsOf(segments)).toEqual(['function segments', 'function moments']);
    expect(exportsOf(shade)).toEqual(['function shade']);
  });
});
